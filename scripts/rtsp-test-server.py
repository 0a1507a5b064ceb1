#!/usr/bin/python3
"""A live RTSP camera for tests: a moving test pattern served on 127.0.0.1 by gst-rtsp-server.

usage: /usr/bin/python3 rtsp-test-server.py PORT  (Debian's python3-gi, not a pyenv python)
          (serves rtsp://127.0.0.1:PORT/cam; prints "ready" when listening)
Tests stop it (SIGSTOP / SIGKILL) to make the stream stall or drop, and start it again.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(sys.argv[1])
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay name=pay0 pt=96 )"
)
factory.set_shared(True)
server.get_mount_points().add_factory("/cam", factory)
if server.attach(None) == 0:
    sys.exit("cannot listen on port " + sys.argv[1])
print("ready", flush=True)
GLib.MainLoop().run()
