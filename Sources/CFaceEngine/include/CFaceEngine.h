/*
 * CFaceEngine: the only C++ in Watchpost, behind a plain C interface.
 *
 * Every function catches C++ exceptions and reports failures through a wp_error
 * (code + text); no exception crosses this header. Handles are opaque and owned by
 * the caller, who frees them with the matching *_free function. A handle is not
 * thread-safe: one owner uses it at a time (FaceEngine lends it through actors).
 */
#ifndef CFACEENGINE_H
#define CFACEENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes; 0 is success. */
enum {
    WP_OK = 0,
    WP_ERR_FILE = 1,        /* file missing or unreadable */
    WP_ERR_MODEL = 2,       /* model file present but not loadable */
    WP_ERR_DECODE = 3,      /* image or video could not be decoded */
    WP_ERR_ARGUMENT = 4,    /* invalid argument */
    WP_ERR_INTERNAL = 5     /* OpenCV or dlib raised an unexpected error */
};

typedef struct wp_error {
    int code;
    char message[512];
} wp_error;

/** A BGR 8-bit image (cv::Mat inside). */
typedef struct wp_image wp_image;

typedef struct wp_rect {
    float x, y, width, height;
} wp_rect;

/** One detected face: box, confidence and 5 landmarks
 *  (left eye, right eye, nose tip, left mouth corner, right mouth corner; x then y). */
typedef struct wp_face {
    wp_rect box;
    float score;
    float landmarks[10];
} wp_face;

/* Images */
wp_image *wp_image_decode(const uint8_t *bytes, size_t count, wp_error *error);
wp_image *wp_image_resized(const wp_image *image, int width, int height, wp_error *error);
wp_image *wp_image_flipped(const wp_image *image, wp_error *error);
/** The two images side by side, the second scaled to the first's height (to compose test scenes). */
wp_image *wp_image_side_by_side(const wp_image *left, const wp_image *right, wp_error *error);
void wp_image_free(wp_image *image);
int wp_image_width(const wp_image *image);
int wp_image_height(const wp_image *image);
/** JPEG-encodes a crop of the image (clamped to its bounds). The caller frees *bytes with wp_bytes_free. */
int wp_image_encode_jpeg(const wp_image *image, wp_rect crop, int quality,
                         uint8_t **bytes, size_t *count, wp_error *error);
void wp_bytes_free(uint8_t *bytes);
/** Overwrites the pixels with zeros: used to wipe frames that held non-matching faces. */
void wp_image_wipe(wp_image *image);

/** Sharpness and exposure of a face region: variance of the Laplacian of the region
 *  resized to 96x96 grey, and mean and standard deviation of its luminance (0-255). */
typedef struct wp_region_stats {
    float laplacian_variance;
    float luma_mean;
    float luma_std;
} wp_region_stats;
int wp_region_stats_compute(const wp_image *image, wp_rect region, wp_region_stats *out, wp_error *error);

/* Video */
typedef struct wp_video wp_video;
/** Opens a file path, an rtsp:// URL or a V4L2 device (/dev/videoN). Timeouts apply to network streams. */
wp_video *wp_video_open(const char *source, int open_timeout_ms, int read_timeout_ms, wp_error *error);
/** Reads the next frame: 1 with *frame set, 0 at end of stream (or a stalled stream), -1 on error. */
int wp_video_read(wp_video *video, wp_image **frame, wp_error *error);
double wp_video_fps(const wp_video *video);
void wp_video_free(wp_video *video);

/* Detection (CenterFace through OpenCV DNN) */
typedef struct wp_detector wp_detector;
wp_detector *wp_detector_create(const char *onnx_path, wp_error *error);
/** Detects faces. The frame is scaled so that its longer side is at most max_side (then rounded
 *  up to multiples of 32); boxes come back in frame coordinates. Returns the number of faces
 *  written (at most capacity; the strongest first), or -1. */
int wp_detector_detect(wp_detector *detector, const wp_image *image, int max_side,
                       float threshold, float nms_iou, wp_face *faces, int capacity, wp_error *error);
void wp_detector_free(wp_detector *detector);
/** Sets OpenCV's worker thread count for the process. */
void wp_set_threads(int count);

/* Embedding (dlib 5-point alignment + ResNet, 128-D) */
#define WP_EMBEDDING_DIM 128
typedef struct wp_embedder wp_embedder;
wp_embedder *wp_embedder_create(const char *shape_predictor_path, const char *resnet_path, wp_error *error);
/** Aligns each face to a 150x150 chip and writes count * 128 floats to out. With flip_average
 *  set, each descriptor is the mean of the chip's and its mirror image's (twice the work). */
int wp_embedder_embed(wp_embedder *embedder, const wp_image *image, const wp_face *faces, int count,
                      int flip_average, float *out, wp_error *error);
/** The dlib-aligned chip of each face, size x size BGR bytes each (count * size * size * 3),
 *  for a second embedding model that needs its own crop. */
int wp_embedder_chips(wp_embedder *embedder, const wp_image *image, const wp_face *faces, int count,
                      int size, float padding, unsigned char *out, wp_error *error);
/** Runs only the 5-point shape predictor (for benchmarks); writes count * 10 floats. */
int wp_embedder_landmarks(wp_embedder *embedder, const wp_image *image, const wp_face *faces, int count,
                          float *out, wp_error *error);
void wp_embedder_free(wp_embedder *embedder);

/* Second embedding (FaceNet 20180408-102900, Inception-ResNet-v1, through OpenCV DNN, 512-D) */
#define WP_FACENET_DIM 512
#define WP_FACENET_SIZE 160
typedef struct wp_facenet wp_facenet;
wp_facenet *wp_facenet_create(const char *pb_path, wp_error *error);
/** Embeds count chips of 160x160 BGR bytes (from wp_embedder_chips); writes count * 512 floats,
 *  each L2-normalised. With flip_average set, each is the normalised mean with its mirror image. */
int wp_facenet_embed(wp_facenet *net, const unsigned char *chips, int count, int flip_average, float *out,
                     wp_error *error);
void wp_facenet_free(wp_facenet *net);

/* Matching: squared L2 distances from one probe to n templates (row-major n x dim) with
 * precomputed squared norms, through BLAS sgemv. */
void wp_squared_distances(const float *templates, const float *squared_norms, int n, int dim,
                          const float *probe, float *out);

#ifdef __cplusplus
}
#endif
#endif
