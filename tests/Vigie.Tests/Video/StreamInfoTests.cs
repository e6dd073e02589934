using Vigie.Video;

namespace Vigie.Tests.Video;

public class StreamInfoTests
{
    private static string Saved(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", name));

    [Fact]
    public void Parses_an_avi_whose_header_doubles_its_average_rate()
    {
        var info = StreamInfo.ParseFfprobeJson(Saved("ffprobe_vtest_avi.json"));
        Assert.Equal(1280, info.Width);
        Assert.Equal(720, info.Height);
        Assert.Equal(25, info.Fps);
        Assert.Equal(13.64, info.Duration!.Value.TotalSeconds, 2);
        Assert.Null(info.CreationTime);
    }

    [Fact]
    public void Parses_a_phone_mp4_with_its_creation_time()
    {
        var info = StreamInfo.ParseFfprobeJson(Saved("ffprobe_room_fall01_mp4.json"));
        Assert.Equal((406, 720), (info.Width, info.Height));
        Assert.Equal(30, info.Fps);
        Assert.Equal("h264", info.Codec);
        // The video stream has no tag; the container's says 14:24:27.
        Assert.Equal(new DateTimeOffset(2016, 5, 14, 14, 24, 27, TimeSpan.Zero), info.CreationTime);
    }

    [Fact]
    public void A_portrait_clip_stored_sideways_has_its_upright_size()
    {
        // room_fall01 remuxed with a display rotation of 90°: stored 406×720, shown (and decoded) 720×406.
        var info = StreamInfo.ParseFfprobeJson(Saved("ffprobe_rotated_mp4.json"));
        Assert.Equal((720, 406), (info.Width, info.Height));
    }

    [Theory]
    [InlineData("64:45", 0, 64.0 / 45)]
    [InlineData("4:5", 0, 0.8)]
    [InlineData("4:5", 90, 1.25)] // stored sideways: its pixels turn with it
    [InlineData("0:1", 0, 1.0)] // unknown
    [InlineData("1:100", 0, 1.0)] // nonsense
    public void Reads_how_wide_each_pixel_is_shown(string declared, int rotation, double expected)
    {
        var info = StreamInfo.ParseFfprobeJson($$$"""
            {"streams": [{"codec_type": "video", "width": 720, "height": 576, "sample_aspect_ratio": "{{{declared}}}",
              "side_data_list": [{"rotation": {{{rotation}}}}]}], "format": {}}
            """);
        Assert.Equal(expected, info.PixelAspect, 6);
    }

    [Fact]
    public void Says_what_reading_changes_besides_the_size()
    {
        Assert.Null(new StreamInfo(1280, 720, 25, null, "h264", null).Adjustments(1280, 720));
        Assert.Equal("interlaced: deinterlaced; pixels 1.42 times as wide as tall: analysed in square pixels at 720x404",
            new StreamInfo(720, 576, 25, null, "mpeg2video", null, Interlaced: true, PixelAspect: 64.0 / 45).Adjustments(720, 404));
    }

    [Theory]
    [InlineData(720, 576, 64.0 / 45, 720, 405)]
    [InlineData(704, 576, 12.0 / 11, 704, 528)]
    [InlineData(960, 576, 0.8, 768, 576)]
    [InlineData(720, 480, 8.0 / 9, 640, 480)]
    [InlineData(1280, 720, 1.005, 1280, 720)]
    public void Non_square_pixels_are_made_square_by_shrinking_the_denser_side(int w, int h, double aspect, int ew, int eh) =>
        Assert.Equal((ew, eh), FfmpegSource.SquarePixels(w, h, aspect));

    [Theory]
    // A cover picture first, marked default: still not footage.
    [InlineData(1, 1, 0, 2)]
    // Two video streams, the second marked default: a player shows that one.
    [InlineData(0, 0, 1, 2)]
    // Neither marked: the first.
    [InlineData(0, 0, 0, 0)]
    public void The_stream_analysed_is_the_default_video_never_a_cover_picture(int firstDefault, int firstCover, int secondDefault, int expectedIndex)
    {
        var info = StreamInfo.ParseFfprobeJson($$$"""
            {"streams": [
              {"index": 0, "codec_type": "video", "width": 600, "height": 600, "disposition": {"default": {{{firstDefault}}}, "attached_pic": {{{firstCover}}}}},
              {"index": 1, "codec_type": "audio", "disposition": {"default": 1}},
              {"index": 2, "codec_type": "video", "width": 406, "height": 720, "disposition": {"default": {{{secondDefault}}}, "attached_pic": 0}}],
             "format": {}}
            """);
        Assert.Equal(expectedIndex, info.StreamIndex);
        Assert.Equal(expectedIndex == 2 ? 406 : 600, info.Width);
    }

    [Fact]
    public void A_file_without_video_is_a_clear_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => StreamInfo.ParseFfprobeJson("""{"streams": [{"codec_type": "audio"}], "format": {}}"""));
        Assert.Equal("the source has no video stream", e.Message);
    }

    [Fact]
    public void Reads_frame_times_from_showinfo_lines_and_ignores_the_rest()
    {
        Assert.Equal(new FfmpegSource.ShowInfo(12, 2.4, 21921), FfmpegSource.ShowInfoLine(
            "[Parsed_showinfo_1 @ 0x5579c7edc2c0] n:  12 pts:     12 pts_time:2.4     pos:    21921 fmt:bgr24 sar:1/1 s:406x720 i:P iskey:0 type:P "));
        Assert.Equal(-1L, FfmpegSource.ShowInfoLine("[Parsed_showinfo_1 @ 0x55] config in time_base: 1/5, frame_rate: 5/1")!.Value.Index);
        Assert.Null(FfmpegSource.ShowInfoLine("[h264 @ 0x55] error while decoding MB 3 4"));
    }

    [Fact]
    public void Summarises_ffmpeg_errors_to_the_line_that_matters()
    {
        var stderr = "Input #0, avi, from 'x.avi':\n  Duration: 00:00:13.82\n[avi @ 0x1] Something harmless\n[h264 @ 0x2] Invalid data found when processing input\n";
        Assert.Equal("Invalid data found when processing input", FfmpegSource.Summarise(stderr, 1));
        Assert.Equal("ffmpeg exited with code 3", FfmpegSource.Summarise("", 3));
        // A cut mp4: the demuxer's word, not the closing statistics printed after it.
        Assert.Equal("stream 0, offset 0x4a957: partial file", FfmpegSource.Summarise(
            "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] stream 0, offset 0x4a957: partial file\n" +
            "frame=   22 fps=0.0 q=-0.0 Lsize=   18841kB time=00:00:04.40 bitrate=35078.4kbits/s speed=90.2x\n" +
            "video:18841kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: 0.000000%\n", 0));
        Assert.True(FfmpegSource.IsDecodeError("Error while decoding stream #0:0: Invalid data found when processing input"));
        Assert.False(FfmpegSource.IsDecodeError("[null @ 0x1] Application provided invalid, non monotonically increasing dts to muxer"));
    }

    [Theory]
    [InlineData(1920, 1080, 1280, 1280, 720)]
    [InlineData(640, 360, 1280, 640, 360)]
    [InlineData(406, 720, 1280, 406, 720)]
    [InlineData(1000, 563, 640, 640, 360)]
    [InlineData(1001, 563, 0, 1000, 562)]
    public void Output_size_fits_the_maximum_width_with_even_sides(int w, int h, int max, int ew, int eh) =>
        Assert.Equal((ew, eh), FfmpegSource.OutputSize(w, h, max));

    [Fact]
    public void Truncation_is_judged_against_the_header_duration()
    {
        Assert.False(FfmpegSource.IsTruncated(TimeSpan.FromSeconds(13.4), TimeSpan.FromSeconds(13.64), 0.2));
        Assert.True(FfmpegSource.IsTruncated(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(13.64), 0.2));
    }
}
