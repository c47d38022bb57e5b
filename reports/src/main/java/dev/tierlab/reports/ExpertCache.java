package dev.tierlab.reports;

import dev.tierlab.reports.stats.SampleStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The report's expert-cache table for a mixture-of-experts run with a top-tier cache: per point, the
 * share of expert-slab lookups the cache served (median and range over the point's emulated repeats,
 * from each line's {@code moe.expert_cache_hit_rate}). Points without cache lookups are left out; a
 * run without any has no table.
 */
final class ExpertCache {

    record Row(String point, int repeats, double median, double min, double max) {
    }

    static final String NOTE = "Expert cache: hits / lookups of routed-expert slabs placed on lower tiers, per emulated repeat "
            + "(median and range over repeats); each line's moe.expert_hit_rates has them per block and expert, moe.routing_histogram "
            + "the routing they rest on.";

    private ExpertCache() {
    }

    static List<Row> rows(List<PointSummary> points) {
        List<Row> out = new ArrayList<>();
        for (PointSummary p : points) {
            double[] rates = p.data().emulated().stream().mapToDouble(ResultRecord::expertCacheHitRate).filter(Double::isFinite).toArray();
            if (rates.length > 0) {
                out.add(new Row(p.label(), rates.length, SampleStats.median(rates), Arrays.stream(rates).min().orElseThrow(),
                        Arrays.stream(rates).max().orElseThrow()));
            }
        }
        return out;
    }

    static String text(Row r) {
        return r.repeats() == 1 || r.min() == r.max() ? ReportBuilder.fmt(100 * r.median(), 1) + "%"
                : "%s%% (%s–%s%%)".formatted(ReportBuilder.fmt(100 * r.median(), 1), ReportBuilder.fmt(100 * r.min(), 1),
                        ReportBuilder.fmt(100 * r.max(), 1));
    }
}
