// dlib 5-point alignment and the dlib ResNet face descriptor (both CC0 per dlib-models).
// This file holds the network template and is slow to compile: keep other code out of it.
#include "CFaceEngine.h"
#include "Erase.hpp"
#include "ErrorReporting.hpp"
#include "ImageHandle.hpp"
#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/opencv/cv_image.h>
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

using wp::guarded;
using wp::set_error;

namespace {
using namespace dlib;

// The network definition of dlib_face_recognition_resnet_model_v1 (dlib's dnn_face_recognition_ex.cpp).
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;
template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET> using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;
using anet_type = loss_metric<fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

// The 5-point predictor was trained on dlib's square HOG boxes, which span brows to chin.
// CenterFace boxes are taller (forehead to chin), so derive a square box from its landmarks.
rectangle predictor_box(const wp_face &face) {
    const float *l = face.landmarks;
    float eye_x = (l[0] + l[2]) / 2, eye_y = (l[1] + l[3]) / 2;
    float mouth_x = (l[6] + l[8]) / 2, mouth_y = (l[7] + l[9]) / 2;
    float cx = (eye_x + mouth_x) / 2, cy = (eye_y + mouth_y) / 2;
    float side = face.box.width;
    return rectangle(long(cx - side / 2), long(cy - side / 2), long(cx + side / 2), long(cy + side / 2));
}

bool readable(const char *path) { return std::ifstream(path).good(); }
}  // namespace

struct wp_embedder {
    dlib::shape_predictor predictor;
    anet_type net;
};

extern "C" wp_embedder *wp_embedder_create(const char *shape_predictor_path, const char *resnet_path, wp_error *error) {
    return guarded<wp_embedder *>(error, nullptr, [&]() -> wp_embedder * {
        for (const char *path : {shape_predictor_path, resnet_path}) {
            if (!readable(path)) {
                set_error(error, WP_ERR_FILE, std::string("cannot read model file ") + path);
                return nullptr;
            }
        }
        auto embedder = new wp_embedder;
        const char *current = shape_predictor_path;
        try {
            dlib::deserialize(shape_predictor_path) >> embedder->predictor;
            current = resnet_path;
            dlib::deserialize(resnet_path) >> embedder->net;
        } catch (const std::exception &e) {
            delete embedder;
            set_error(error, WP_ERR_MODEL, std::string("model file ") + current + " is corrupt or not a dlib model: " + e.what());
            return nullptr;
        }
        return embedder;
    });
}

namespace {
std::vector<dlib::full_object_detection> shapes_for(wp_embedder *embedder, const wp_image *image,
                                                    const wp_face *faces, int count) {
    dlib::cv_image<dlib::bgr_pixel> view(image->mat);
    std::vector<dlib::full_object_detection> shapes;
    shapes.reserve(count);
    for (int i = 0; i < count; ++i) shapes.push_back(embedder->predictor(view, predictor_box(faces[i])));
    return shapes;
}
}  // namespace

extern "C" int wp_embedder_landmarks(wp_embedder *embedder, const wp_image *image, const wp_face *faces, int count,
                                     float *out, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        auto shapes = shapes_for(embedder, image, faces, count);
        for (int i = 0; i < count; ++i)
            for (unsigned p = 0; p < 5 && p < shapes[i].num_parts(); ++p) {
                out[i * 10 + 2 * p] = float(shapes[i].part(p).x());
                out[i * 10 + 2 * p + 1] = float(shapes[i].part(p).y());
            }
        return count;
    });
}

extern "C" int wp_embedder_embed(wp_embedder *embedder, const wp_image *image, const wp_face *faces, int count,
                                 int flip_average, float *out, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        if (count <= 0) return 0;
        dlib::cv_image<dlib::bgr_pixel> view(image->mat);
        auto shapes = shapes_for(embedder, image, faces, count);
        const int views = flip_average ? 2 : 1;
        std::vector<dlib::matrix<dlib::rgb_pixel>> chips(count * views);
        for (int i = 0; i < count; ++i) {
            dlib::extract_image_chip(view, dlib::get_face_chip_details(shapes[i], 150, 0.25), chips[i * views]);
            if (flip_average) dlib::flip_image_left_right(chips[i * views], chips[i * views + 1]);
        }
        // Batches of two: dlib keeps every layer's output at the largest batch it has seen, and on a
        // CPU a larger batch is no faster per face (StageBenchmark).
        std::vector<dlib::matrix<float, 0, 1>> descriptors = embedder->net(chips, 2);
        for (auto &chip : chips) wp::erase_matrix(chip);
        for (int i = 0; i < count; ++i) {
            dlib::matrix<float, 0, 1> sum = descriptors[i * views];
            for (int v = 1; v < views; ++v) sum += descriptors[i * views + v];
            sum /= float(views);
            std::copy(sum.begin(), sum.end(), out + i * WP_EMBEDDING_DIM);
            wp::erase_matrix(sum);
        }
        for (auto &d : descriptors) wp::erase_matrix(d);
        // The last layer keeps this batch's descriptors until the next call: erase them now.
        auto &last = const_cast<dlib::tensor &>(embedder->net.subnet().get_output());
        wp::erase_bytes(last.host(), last.size() * sizeof(float));
        return count;
    });
}

extern "C" int wp_embedder_chips(wp_embedder *embedder, const wp_image *image, const wp_face *faces, int count,
                                 int size, float padding, unsigned char *out, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        if (count <= 0) return 0;
        if (size < 16 || size > 512 || !(padding >= 0 && padding <= 2)) {
            set_error(error, WP_ERR_ARGUMENT, "chip size must be 16-512 and padding 0-2");
            return -1;
        }
        dlib::cv_image<dlib::bgr_pixel> view(image->mat);
        auto shapes = shapes_for(embedder, image, faces, count);
        dlib::matrix<dlib::bgr_pixel> chip;
        for (int i = 0; i < count; ++i) {
            dlib::extract_image_chip(view, dlib::get_face_chip_details(shapes[i], size, padding), chip);
            unsigned char *dst = out + size_t(i) * size * size * 3;
            for (long r = 0; r < chip.nr(); ++r)
                for (long c = 0; c < chip.nc(); ++c, dst += 3) {
                    dst[0] = chip(r, c).blue; dst[1] = chip(r, c).green; dst[2] = chip(r, c).red;
                }
        }
        wp::erase_matrix(chip);
        return count;
    });
}

extern "C" void wp_embedder_free(wp_embedder *embedder) { delete embedder; }
