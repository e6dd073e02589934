#!/usr/bin/python3
"""A real RTSP camera for tests: GStreamer's RTSP server looping a folder of JPEG frames.

usage: rtsp_server.py FOLDER PORT FPS [--codec h264|h265] [--clock-rate R] [--audio] [--leap S] [--resize WxH]
Serves rtsp://127.0.0.1:PORT/cam on loopback only, H.264 (or H.265, as most IP cameras now send by
default), until killed. Prints "ready" once listening. Each option makes the camera behave as real
ones do:
  --clock-rate R  its clock runs R times as fast as true time: 1.1 gains a second every ten, a real
                  camera's drift of days in seconds;
  --audio         it has a microphone: it offers G.711 A-law sound too, and each stream a client sets
                  up is printed as "setup URI";
  --leap S        its timestamps leap S seconds (negative: back) 4 s into each session, as a camera
                  restarting its encoder within a session; frames keep coming at their pace;
  --resize WxH    its picture changes to W x H 4 s after it first starts sending, as when its resolution
                  is changed while streaming; sessions begun later get the new size from the start.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("port")
parser.add_argument("fps")
parser.add_argument("--codec", default="h264", choices=["h264", "h265"])
parser.add_argument("--clock-rate", type=float, default=1.0)
parser.add_argument("--audio", action="store_true")
parser.add_argument("--leap", type=float, default=0.0)
parser.add_argument("--resize")
args = parser.parse_args()
fps = args.fps
encoders = {
    "h264": f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! rtph264pay name=pay0 pt=96",
    "h265": f"x265enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! rtph265pay name=pay0 pt=96",
}
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(args.port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f'( multifilesrc location="{args.folder}/%05d.jpg" index=1 start-index=1 loop=true '
    f'caps="image/jpeg,framerate={fps}/1" ! jpegdec ! videoconvert ! '
    # Paced here, before the leap, so that leapt frames still come at the camera's pace.
    + ("identity sync=true ! identity name=leap ! " if args.leap else "")
    + ("videoscale ! capsfilter name=size ! " if args.resize else "")
    + f"{encoders[args.codec]} "
    + ("audiotestsrc is-live=true wave=pink-noise ! audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! "
       "alawenc ! rtppcmapay name=pay1 pt=8 " if args.audio else "")
    + ")"
)
factory.set_shared(True)
if args.clock_rate != 1.0:
    clock = Gst.SystemClock.obtain()
    now = clock.get_internal_time()
    clock.set_calibration(now, now, round(args.clock_rate * 1000), 1000)
    factory.set_clock(clock)
server.get_mount_points().add_factory("/cam", factory)
session = {"from": None, "size": None, "resized": False}


def on_buffer(_, info):
    if session["from"] is None:
        session["from"] = info.get_buffer().pts
    if info.get_buffer().pts - session["from"] > 4 * Gst.SECOND:
        info.get_buffer().pts += int(args.leap * Gst.SECOND)
    return Gst.PadProbeReturn.OK


def on_configure(_, media):
    pipeline = media.get_element()
    if args.leap:
        session["from"] = None  # each new session of the camera leaps 4 s after it starts
        pipeline.get_by_name("leap").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_buffer)
    if args.resize:
        width, height = args.resize.split("x")
        resized = Gst.Caps.from_string(f"video/x-raw,width={width},height={height}")
        first = session["size"] is None
        session["size"] = pipeline.get_by_name("size")
        if session["resized"]:
            session["size"].set_property("caps", resized)
        elif first:
            def resize():
                session["size"].set_property("caps", resized)  # the session streaming now
                session["resized"] = True
                return False

            GLib.timeout_add_seconds(4, resize)


factory.connect("media-configure", on_configure)
if args.audio:
    def on_setup(client, context):
        print("setup", context.uri.abspath, flush=True)

    server.connect("client-connected", lambda _, client: client.connect("setup-request", on_setup))
if server.attach(None) == 0:
    sys.exit(f"cannot listen on 127.0.0.1:{args.port}")
print("ready", flush=True)
GLib.MainLoop().run()
