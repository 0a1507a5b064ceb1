#include "CFaceEngine.h"
#include "ErrorReporting.hpp"
#include "ImageHandle.hpp"
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

using wp::guarded;
using wp::set_error;

namespace {
// Converts grey or BGRA decodes to BGR so that every wp_image has one layout.
cv::Mat to_bgr(const cv::Mat &m) {
    if (m.channels() == 3) return m;
    cv::Mat out;
    if (m.channels() == 1) cv::cvtColor(m, out, cv::COLOR_GRAY2BGR);
    else cv::cvtColor(m, out, cv::COLOR_BGRA2BGR);
    return out;
}

cv::Rect clamp(const cv::Mat &m, wp_rect r) {
    cv::Rect box(int(std::floor(r.x)), int(std::floor(r.y)), int(std::ceil(r.width)), int(std::ceil(r.height)));
    return box & cv::Rect(0, 0, m.cols, m.rows);
}
}  // namespace

extern "C" wp_image *wp_image_decode(const uint8_t *bytes, size_t count, wp_error *error) {
    return guarded<wp_image *>(error, nullptr, [&]() -> wp_image * {
        std::vector<uint8_t> buffer(bytes, bytes + count);
        cv::Mat m = cv::imdecode(buffer, cv::IMREAD_COLOR);
        if (m.empty()) {
            set_error(error, WP_ERR_DECODE, "bytes are not a decodable image");
            return nullptr;
        }
        return new wp_image{to_bgr(m)};
    });
}

extern "C" wp_image *wp_image_resized(const wp_image *image, int width, int height, wp_error *error) {
    return guarded<wp_image *>(error, nullptr, [&]() -> wp_image * {
        if (width <= 0 || height <= 0) {
            set_error(error, WP_ERR_ARGUMENT, "resize needs a positive width and height");
            return nullptr;
        }
        auto out = new wp_image;
        cv::resize(image->mat, out->mat, cv::Size(width, height), 0, 0, cv::INTER_AREA);
        return out;
    });
}

extern "C" wp_image *wp_image_flipped(const wp_image *image, wp_error *error) {
    return guarded<wp_image *>(error, nullptr, [&]() -> wp_image * {
        auto out = new wp_image;
        cv::flip(image->mat, out->mat, 1);
        return out;
    });
}

extern "C" wp_image *wp_image_side_by_side(const wp_image *left, const wp_image *right, wp_error *error) {
    return guarded<wp_image *>(error, nullptr, [&]() -> wp_image * {
        cv::Mat scaled;
        int width = std::max(1, right->mat.cols * left->mat.rows / std::max(1, right->mat.rows));
        cv::resize(right->mat, scaled, cv::Size(width, left->mat.rows), 0, 0, cv::INTER_AREA);
        auto out = new wp_image;
        cv::hconcat(left->mat, scaled, out->mat);
        return out;
    });
}

extern "C" void wp_image_free(wp_image *image) { delete image; }
extern "C" int wp_image_width(const wp_image *image) { return image->mat.cols; }
extern "C" int wp_image_height(const wp_image *image) { return image->mat.rows; }
extern "C" void wp_image_wipe(wp_image *image) { image->mat.setTo(cv::Scalar::all(0)); }

extern "C" int wp_image_encode_jpeg(const wp_image *image, wp_rect crop, int quality, uint8_t **bytes,
                                    size_t *count, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        cv::Rect box = clamp(image->mat, crop);
        if (box.empty()) {
            set_error(error, WP_ERR_ARGUMENT, "crop lies outside the image");
            return -1;
        }
        std::vector<uint8_t> buffer;
        cv::imencode(".jpg", image->mat(box), buffer, {cv::IMWRITE_JPEG_QUALITY, quality});
        *bytes = static_cast<uint8_t *>(std::malloc(buffer.size()));
        std::memcpy(*bytes, buffer.data(), buffer.size());
        *count = buffer.size();
        return 0;
    });
}

extern "C" void wp_bytes_free(uint8_t *bytes) { std::free(bytes); }

extern "C" int wp_region_stats_compute(const wp_image *image, wp_rect region, wp_region_stats *out,
                                       wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        cv::Rect box = clamp(image->mat, region);
        if (box.width < 2 || box.height < 2) {
            set_error(error, WP_ERR_ARGUMENT, "face region lies outside the frame");
            return -1;
        }
        cv::Mat grey, sized, laplacian;
        cv::cvtColor(image->mat(box), grey, cv::COLOR_BGR2GRAY);
        cv::Scalar mean, deviation;
        cv::meanStdDev(grey, mean, deviation);
        // A fixed size makes sharpness comparable across face sizes.
        cv::resize(grey, sized, cv::Size(96, 96), 0, 0, cv::INTER_AREA);
        cv::Laplacian(sized, laplacian, CV_32F);
        cv::Scalar lm, ld;
        cv::meanStdDev(laplacian, lm, ld);
        out->laplacian_variance = float(ld[0] * ld[0]);
        out->luma_mean = float(mean[0]);
        out->luma_std = float(deviation[0]);
        return 0;
    });
}
