// CenterFace (MIT) through OpenCV DNN. Outputs: 537 heatmap, 538 scale, 539 offset (y, x),
// 540 landmarks, all at 1/4 of the input size.
#include "CFaceEngine.h"
#include "ErrorReporting.hpp"
#include "ImageHandle.hpp"
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <vector>

using wp::guarded;
using wp::set_error;

struct wp_detector {
    std::vector<uchar> model;
    // OpenCV 4.6 returns corrupt outputs when one net runs at a second input size, so each
    // input size gets its own net, created on first use.
    std::map<std::pair<int, int>, cv::dnn::Net> nets;
    // The net parsed at load to check the file, given to the first size used: a net kept for a
    // size no camera delivers held its 7 MiB of weights for nothing.
    std::optional<cv::dnn::Net> unsized;

    cv::dnn::Net &net_for(int width, int height) {
        auto key = std::make_pair(width, height);
        auto found = nets.find(key);
        if (found != nets.end()) return found->second;
        cv::dnn::Net net = unsized ? *unsized : cv::dnn::readNetFromONNX(model);
        unsized.reset();
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return nets.emplace(key, net).first->second;
    }
};

namespace {
int round_up_32(double v) { return std::max(32, int(std::ceil(v / 32.0)) * 32); }

float iou(const wp_rect &a, const wp_rect &b) {
    float x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
    float x2 = std::min(a.x + a.width, b.x + b.width), y2 = std::min(a.y + a.height, b.y + b.height);
    float inter = std::max(0.f, x2 - x1) * std::max(0.f, y2 - y1);
    float uni = a.width * a.height + b.width * b.height - inter;
    return uni > 0 ? inter / uni : 0.f;
}
}  // namespace

extern "C" wp_detector *wp_detector_create(const char *onnx_path, wp_error *error) {
    return guarded<wp_detector *>(error, nullptr, [&]() -> wp_detector * {
        std::ifstream file(onnx_path, std::ios::binary);
        if (!file.good()) {
            set_error(error, WP_ERR_FILE, std::string("cannot read detection model ") + onnx_path);
            return nullptr;
        }
        auto detector = new wp_detector;
        detector->model.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
        try {
            detector->unsized = cv::dnn::readNetFromONNX(detector->model);  // fails now, not at the first frame, if the file is corrupt
        } catch (const std::exception &e) {
            delete detector;
            set_error(error, WP_ERR_MODEL, std::string("detection model ") + onnx_path + " is not a loadable ONNX net: " + e.what());
            return nullptr;
        }
        return detector;
    });
}

extern "C" int wp_detector_detect(wp_detector *detector, const wp_image *image, int max_side, float threshold,
                                  float nms_iou, wp_face *faces, int capacity, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        const cv::Mat &frame = image->mat;
        if (frame.empty() || max_side < 32) {
            set_error(error, WP_ERR_ARGUMENT, "empty frame or detection size below 32");
            return -1;
        }
        double shrink = std::min(1.0, double(max_side) / std::max(frame.cols, frame.rows));
        int in_w = round_up_32(frame.cols * shrink), in_h = round_up_32(frame.rows * shrink);
        float sx = float(frame.cols) / in_w, sy = float(frame.rows) / in_h;

        cv::Mat blob = cv::dnn::blobFromImage(frame, 1.0, cv::Size(in_w, in_h), cv::Scalar(), true, false);
        cv::dnn::Net &net = detector->net_for(in_w, in_h);
        net.setInput(blob);
        std::vector<cv::Mat> outs;
        net.forward(outs, std::vector<cv::String>{"537", "538", "539", "540"});
        const cv::Mat &heat = outs[0], &scale = outs[1], &offset = outs[2], &marks = outs[3];
        const int oh = heat.size[2], ow = heat.size[3], plane = oh * ow;
        const float *hp = heat.ptr<float>(), *sp = scale.ptr<float>(), *op = offset.ptr<float>(), *lp = marks.ptr<float>();

        std::vector<wp_face> found;
        for (int y = 0; y < oh; ++y) {
            for (int x = 0; x < ow; ++x) {
                int i = y * ow + x;
                float s = hp[i];
                if (s <= threshold) continue;
                float h = std::exp(sp[i]) * 4, w = std::exp(sp[plane + i]) * 4;
                float cy = (y + op[i] + 0.5f) * 4, cx = (x + op[plane + i] + 0.5f) * 4;
                float x1 = std::clamp(cx - w / 2, 0.f, float(in_w)), y1 = std::clamp(cy - h / 2, 0.f, float(in_h));
                float x2 = std::min(x1 + w, float(in_w)), y2 = std::min(y1 + h, float(in_h));
                wp_face face{};
                face.box = {x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy};
                face.score = s;
                for (int j = 0; j < 5; ++j) {
                    face.landmarks[2 * j] = (lp[(2 * j + 1) * plane + i] * w + x1) * sx;
                    face.landmarks[2 * j + 1] = (lp[(2 * j) * plane + i] * h + y1) * sy;
                }
                found.push_back(face);
            }
        }
        std::sort(found.begin(), found.end(), [](const wp_face &a, const wp_face &b) { return a.score > b.score; });
        int kept = 0;
        std::vector<bool> suppressed(found.size(), false);
        for (size_t a = 0; a < found.size() && kept < capacity; ++a) {
            if (suppressed[a]) continue;
            faces[kept++] = found[a];
            for (size_t b = a + 1; b < found.size(); ++b)
                if (!suppressed[b] && iou(found[a].box, found[b].box) > nms_iou) suppressed[b] = true;
        }
        return kept;
    });
}

extern "C" void wp_detector_free(wp_detector *detector) { delete detector; }
extern "C" void wp_set_threads(int count) { cv::setNumThreads(count); }
