using Papers.Ingest.Harvest;

namespace Papers.Ingest.Tests.Harvest;

public class GapDetectorTests
{
    [Fact]
    public void Reports_missing_ranges_between_harvested_ids()
    {
        string[] ids = ["2401.00009", "2401.00013v2", "2401.00014", "2401.00016", "hep-th/9901001", "junk"];

        var gaps = GapDetector.FindGaps(ids);

        Assert.Equal([new IdGap("2401.00010", "2401.00012", 3), new IdGap("2401.00015", "2401.00015", 1)], gaps);
        Assert.Equal("2401.00010–2401.00012", gaps[0].ToString());
        Assert.Equal("2401.00015", gaps[1].ToString());
    }

    [Fact]
    public void Reports_the_gap_after_the_previous_harvest_and_at_a_month_start()
    {
        var sameMonth = GapDetector.FindGaps(["2401.00020", "2401.00021"], lastIdBefore: "2401.00017");
        Assert.Equal([new IdGap("2401.00018", "2401.00019", 2)], sameMonth);

        var newMonth = GapDetector.FindGaps(["2402.00003", "2402.00004"], lastIdBefore: "2401.09999");
        Assert.Equal([new IdGap("2402.00001", "2402.00002", 2)], newMonth);
    }

    [Fact]
    public void A_later_month_in_the_same_harvest_starts_at_one_and_old_width_is_kept()
    {
        var gaps = GapDetector.FindGaps(["1412.8000", "1412.8001", "1501.00002"]);
        Assert.Equal([new IdGap("1501.00001", "1501.00001", 1)], gaps);
    }

    [Fact]
    public void Contiguous_ids_have_no_gaps() =>
        Assert.Empty(GapDetector.FindGaps(["0704.0001", "0704.0002", "0704.0003", "0704.0002v3"]));
}
