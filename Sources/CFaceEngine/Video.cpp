#include "CFaceEngine.h"
#include "ErrorReporting.hpp"
#include "ImageHandle.hpp"
#include <opencv2/videoio.hpp>
#include <string>

using wp::guarded;
using wp::set_error;

struct wp_video {
    cv::VideoCapture capture;
};

extern "C" wp_video *wp_video_open(const char *source, int open_timeout_ms, int read_timeout_ms, wp_error *error) {
    return guarded<wp_video *>(error, nullptr, [&]() -> wp_video * {
        std::string uri(source);
        auto video = new wp_video;
        bool opened;
        if (uri.rfind("/dev/video", 0) == 0) {
            opened = video->capture.open(uri, cv::CAP_V4L2);
        } else {
            // FFmpeg honours these timeouts for network streams, so a dead camera cannot block forever.
            opened = video->capture.open(uri, cv::CAP_FFMPEG,
                                         {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms,
                                          cv::CAP_PROP_READ_TIMEOUT_MSEC, read_timeout_ms});
        }
        if (!opened || !video->capture.isOpened()) {
            delete video;
            // The URI is left out: it may carry a camera's password, and this text reaches logs.
            set_error(error, WP_ERR_DECODE, "cannot open video source");
            return nullptr;
        }
        return video;
    });
}

extern "C" int wp_video_read(wp_video *video, wp_image **frame, wp_error *error) {
    return guarded<int>(error, -1, [&]() -> int {
        cv::Mat m;
        if (!video->capture.read(m) || m.empty()) return 0;
        if (m.channels() != 3 || m.depth() != CV_8U) {
            set_error(error, WP_ERR_DECODE, "video frame is not 8-bit BGR");
            return -1;
        }
        *frame = new wp_image{m};
        return 1;
    });
}

extern "C" double wp_video_fps(const wp_video *video) { return video->capture.get(cv::CAP_PROP_FPS); }
extern "C" void wp_video_free(wp_video *video) { delete video; }
