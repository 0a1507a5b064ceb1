#pragma once
#include <opencv2/core.hpp>

struct wp_image {
    cv::Mat mat;  // CV_8UC3, BGR
};
