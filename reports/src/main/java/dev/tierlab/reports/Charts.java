package dev.tierlab.reports;

import dev.tierlab.reports.stats.TailPercentile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots, each written as SVG (for the HTML report) and PNG (for people and slides). */
final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    private static final BasicStroke DOTTED = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f);

    private Charts() {
    }

    /** A line of points; {@code errorLow}/{@code errorHigh} null for none; dashed for model curves. */
    record Series(String name, double[] x, double[] y, double[] errorLow, double[] errorHigh, boolean dashed) {
    }

    /**
     * Degradation against a continuous axis. Log-scale axes are drawn as log2 (ratio axes) or log10
     * positions on a linear axis, labelled with the real values; both axes fit this chart's own data.
     */
    static XYChart degradation(String title, Axis axis, String yLabel, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(820).height(480).title(title).xAxisTitle(axis.title()).yAxisTitle(yLabel).build();
        style(chart);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        for (Series s : series) {
            double[] xs = new double[s.x().length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = position(axis, s.x()[i]);
                xMin = Math.min(xMin, xs[i]);
                xMax = Math.max(xMax, xs[i]);
            }
            double[] err = null;
            for (int i = 0; i < s.y().length; i++) {
                double yl = s.errorLow() != null && Double.isFinite(s.errorLow()[i]) ? s.errorLow()[i] : s.y()[i];
                double yh = s.errorHigh() != null && Double.isFinite(s.errorHigh()[i]) ? s.errorHigh()[i] : s.y()[i];
                if (Double.isFinite(yl)) {
                    lo = Math.min(lo, yl);
                }
                if (Double.isFinite(yh)) {
                    hi = Math.max(hi, yh);
                }
            }
            if (s.errorLow() != null) {
                // XChart draws symmetric bars: the larger half-width, so the interval is never understated.
                err = new double[s.y().length];
                for (int i = 0; i < err.length; i++) {
                    double a = s.y()[i] - s.errorLow()[i];
                    double b = s.errorHigh()[i] - s.y()[i];
                    err[i] = Double.isFinite(a) && Double.isFinite(b) ? Math.max(a, b) : 0;
                }
            }
            XYSeries xs1 = err == null ? chart.addSeries(s.name(), xs, s.y()) : chart.addSeries(s.name(), xs, s.y(), err);
            if (s.dashed()) {
                xs1.setLineStyle(DASHED);
                xs1.setMarker(SeriesMarkers.NONE);
            }
        }
        if (lo > hi) {
            lo = 0.9;
            hi = 1.0;
        }
        // the y axis fits this chart's data; the no-change line shows when the data come near it
        boolean showOne = hi >= 0.9;
        if (showOne) {
            hi = Math.max(hi, 1.0);
        }
        if (xMin <= xMax) {
            if (showOne) {
                XYSeries one = chart.addSeries("no change (1.0)", new double[] {xMin, xMax}, new double[] {1.0, 1.0});
                one.setLineStyle(DOTTED);
                one.setLineColor(Color.GRAY);
                one.setMarker(SeriesMarkers.NONE);
            }
            double pad = xMin == xMax ? 1 : (xMax - xMin) * 0.04;
            chart.getStyler().setXAxisMin(xMin - pad);
            chart.getStyler().setXAxisMax(xMax + pad);
        }
        double ypad = Math.max(0.01, (hi - lo) * 0.08);
        chart.getStyler().setYAxisMin(Math.max(0, lo - ypad));
        chart.getStyler().setYAxisMax(hi + ypad);
        if (axis.logScale()) {
            chart.getStyler().setXAxisTickMarkSpacingHint(120);
            chart.setCustomXAxisTickLabelsFormatter(v -> axis.format(unposition(axis, v)));
        }
        return chart;
    }

    /** Where an axis value sits on the chart's linear x axis. */
    static double position(Axis axis, double x) {
        if (!axis.logScale()) {
            return x;
        }
        return axis.unit().equals("x base") ? Math.log(x) / Math.log(2) : Math.log10(x);
    }

    static double unposition(Axis axis, double p) {
        if (!axis.logScale()) {
            return p;
        }
        return axis.unit().equals("x base") ? Math.pow(2, p) : Math.pow(10, p);
    }

    /**
     * Latency by percentile, HdrHistogram-plotter style: x is log10(1/(1-percentile)), so each "nine"
     * of the tail gets as much room as the whole body. Every curve stops at the highest percentile its
     * sample supports ({@link TailPercentile#minSamples}: n &gt;= 1/(1-q)). Dashed curves are baselines.
     */
    static XYChart tailLatency(String title, List<String> names, List<LatencyTail> tails, List<Boolean> baseline) {
        XYChart chart = new XYChartBuilder().width(820).height(440 + 18 * names.size()).title(title).xAxisTitle("percentile")
                .yAxisTitle("per-token decode time (ms)").build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double maxNines = 0;
        for (int i = 0; i < names.size(); i++) {
            LatencyTail t = tails.get(i);
            if (t.n() < 2) {
                continue;
            }
            double qMax = 1 - 1.0 / t.n();
            Histogram h = t.histogram();
            List<double[]> pts = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p > qMax + 1e-12) {
                    break;
                }
                pts.add(new double[] {Math.log10(1 / (1 - p)), v.getValueIteratedTo() / 1e6});
            }
            if (pts.size() < 2) {
                continue;
            }
            maxNines = Math.max(maxNines, pts.getLast()[0]);
            XYSeries s = chart.addSeries(names.get(i) + " (n=" + t.n() + ")", pts.stream().mapToDouble(a -> a[0]).toArray(),
                    pts.stream().mapToDouble(a -> a[1]).toArray());
            s.setMarker(SeriesMarkers.NONE);
            if (baseline.get(i)) {
                s.setLineStyle(DASHED);
                s.setLineColor(Color.BLACK);
            }
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(Math.max(1.0, Math.ceil(maxNines)));
        // labels at whole nines only (0%, 90%, 99%, 99.9%): the ticks between them would read 68.38%, 96.84%
        chart.setCustomXAxisTickLabelsFormatter(x -> Math.abs(x - Math.rint(x)) < 1e-9
                ? String.format(Locale.ROOT, "%.4g%%", 100 * (1 - Math.pow(10, -Math.rint(x)))).replaceFirst("\\.?0+%$", "%") : "");
        return chart;
    }

    private static void style(XYChart chart) {
        Styler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        st.setAntiAlias(true);
    }

    /** Writes {@code base}.svg and {@code base}.png; returns the SVG's path. */
    static Path save(XYChart chart, Path base) throws IOException {
        Files.createDirectories(base.getParent());
        VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        return base.resolveSibling(base.getFileName() + ".svg");
    }
}
