// libzmq's C API (Debian libzmq3-dev, 4.3.4 with CURVE), wrapped thinly in Shared/Transport.
#include <zmq.h>
