package dev.tierlab.reports;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

    private Charts() {
    }

    /** A line of points with optional error bars. */
    record Series(String name, double[] x, double[] y, double[] errorLow, double[] errorHigh, boolean dashed) {
    }

    static XYChart degradation(String title, String xLabel, boolean logX, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(820).height(480).title(title).xAxisTitle(xLabel)
                .yAxisTitle("throughput relative to baseline").build();
        style(chart);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.1);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        for (Series s : series) {
            double[] err = null;
            if (s.errorLow() != null) {
                // XChart draws symmetric bars: the larger half-width, so the CI is never understated.
                err = new double[s.y().length];
                for (int i = 0; i < err.length; i++) {
                    double lo = s.y()[i] - s.errorLow()[i];
                    double hi = s.errorHigh()[i] - s.y()[i];
                    err[i] = Double.isFinite(lo) && Double.isFinite(hi) ? Math.max(lo, hi) : 0;
                }
            }
            XYSeries xs = err == null ? chart.addSeries(s.name(), s.x(), s.y()) : chart.addSeries(s.name(), s.x(), s.y(), err);
            if (s.dashed()) {
                xs.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                xs.setMarker(SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    /**
     * Latency by percentile, HdrHistogram-plotter style: x is log10(1/(1-percentile)), so each
     * "nine" of the tail (90%, 99%, 99.9%) gets as much room as the whole body.
     */
    static XYChart tailLatency(String title, List<String> names, List<Histogram> histograms) {
        XYChart chart = new XYChartBuilder().width(820).height(480).title(title).xAxisTitle("percentile")
                .yAxisTitle("inter-token latency (ms)").build();
        style(chart);
        double maxNines = 0;
        for (int i = 0; i < names.size(); i++) {
            Histogram h = histograms.get(i);
            if (h.getTotalCount() == 0) {
                continue;
            }
            List<double[]> pts = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p >= 1.0) {
                    break;
                }
                pts.add(new double[] {Math.log10(1 / (1 - p)), v.getValueIteratedTo() / 1e6});
            }
            if (pts.size() < 2) {
                continue;
            }
            pts.sort(Comparator.comparingDouble(a -> a[0]));
            maxNines = Math.max(maxNines, pts.getLast()[0]);
            XYSeries s = chart.addSeries(names.get(i), pts.stream().mapToDouble(a -> a[0]).toArray(),
                    pts.stream().mapToDouble(a -> a[1]).toArray());
            s.setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(Math.max(1.0, Math.ceil(maxNines)));
        chart.setCustomXAxisTickLabelsFormatter(x -> String.format(java.util.Locale.ROOT, "%.4g%%", 100 * (1 - Math.pow(10, -x))));
        return chart;
    }

    private static void style(XYChart chart) {
        Styler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.InsideSW);
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
