#include "CFaceEngine.h"
#include <cblas.h>

// |t - p|^2 = |t|^2 + |p|^2 - 2 t.p, with all dot products in one BLAS sgemv.
extern "C" void wp_squared_distances(const float *templates, const float *squared_norms, int n, int dim,
                                     const float *probe, float *out) {
    float probe_norm = cblas_sdot(dim, probe, 1, probe, 1);
    for (int i = 0; i < n; ++i) out[i] = squared_norms[i] + probe_norm;
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, dim, -2.0f, templates, dim, probe, 1, 1.0f, out, 1);
}
