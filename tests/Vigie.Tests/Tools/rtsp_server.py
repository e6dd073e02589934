#!/usr/bin/python3
"""A real RTSP camera for tests: GStreamer's RTSP server looping a folder of JPEG frames.

usage: rtsp_server.py FOLDER PORT FPS [h264|h265] [RATE] [audio|video] [JUMP]
Serves rtsp://127.0.0.1:PORT/cam on loopback only, H.264 (or H.265, as most IP cameras now send by
default), until killed. Prints "ready" once listening. RATE (default 1) makes the camera's clock run
that many times as fast as true time: 1.1 is a camera whose stream time gains a second every ten,
a real camera's drift of days in seconds. With "audio" the camera sends a microphone's sound too
(G.711 A-law, as IP cameras do), and each stream a client sets up is printed as "setup URI". JUMP
(seconds, negative for back) makes the camera's timestamps leap once, 4 s after it starts sending, as
a camera restarting its encoder within a session does; frames keep coming at their pace.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

folder, port, fps = sys.argv[1], sys.argv[2], sys.argv[3]
codec = sys.argv[4] if len(sys.argv) > 4 else "h264"
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
audio = len(sys.argv) > 6 and sys.argv[6] == "audio"
jump = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0
encoders = {
    "h264": f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! rtph264pay name=pay0 pt=96",
    "h265": f"x265enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! rtph265pay name=pay0 pt=96",
}
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f'( multifilesrc location="{folder}/%05d.jpg" index=1 start-index=1 loop=true '
    f'caps="image/jpeg,framerate={fps}/1" ! jpegdec ! videoconvert ! '
    # Paced here, before the leap, so that leapt frames still come at the camera's pace.
    + ("identity sync=true ! identity name=leap ! " if jump else "")
    + f"{encoders[codec]} "
    + ("audiotestsrc is-live=true wave=pink-noise ! audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! "
       "alawenc ! rtppcmapay name=pay1 pt=8 " if audio else "")
    + ")"
)
factory.set_shared(True)
if rate != 1.0:
    clock = Gst.SystemClock.obtain()
    now = clock.get_internal_time()
    clock.set_calibration(now, now, round(rate * 1000), 1000)
    factory.set_clock(clock)
server.get_mount_points().add_factory("/cam", factory)
if jump:
    leap = {"from": None}

    def on_buffer(_, info):
        if leap["from"] is None:
            leap["from"] = info.get_buffer().pts
        if info.get_buffer().pts - leap["from"] > 4 * Gst.SECOND:
            info.get_buffer().pts += int(jump * Gst.SECOND)
        return Gst.PadProbeReturn.OK

    def on_configure(_, media):
        leap["from"] = None  # each new session of the camera leaps 4 s after it starts
        media.get_element().get_by_name("leap").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_buffer)

    factory.connect("media-configure", on_configure)
if audio:
    def on_setup(client, context):
        print("setup", context.uri.abspath, flush=True)

    server.connect("client-connected", lambda _, client: client.connect("setup-request", on_setup))
if server.attach(None) == 0:
    sys.exit(f"cannot listen on 127.0.0.1:{port}")
print("ready", flush=True)
GLib.MainLoop().run()
