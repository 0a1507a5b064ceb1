// Shared by the C++ files: the one funnel from C++ exceptions to wp_error.
#pragma once
#include "CFaceEngine.h"
#include <cstdio>
#include <exception>
#include <string>

namespace wp {

inline void set_error(wp_error *error, int code, const std::string &message) {
    if (!error) return;
    error->code = code;
    std::snprintf(error->message, sizeof(error->message), "%s", message.c_str());
}

inline void clear_error(wp_error *error) {
    if (!error) return;
    error->code = WP_OK;
    error->message[0] = '\0';
}

// Runs body; any exception becomes WP_ERR_INTERNAL and the fallback value.
template <typename T, typename Body>
T guarded(wp_error *error, T fallback, Body body) {
    clear_error(error);
    try {
        return body();
    } catch (const std::exception &e) {
        set_error(error, WP_ERR_INTERNAL, e.what());
    } catch (...) {
        set_error(error, WP_ERR_INTERNAL, "unknown C++ exception");
    }
    return fallback;
}

}  // namespace wp
