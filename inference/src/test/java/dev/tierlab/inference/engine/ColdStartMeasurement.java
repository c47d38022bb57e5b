package dev.tierlab.inference.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tierlab.inference.bench.BenchSample;
import dev.tierlab.inference.bench.BenchTest;
import dev.tierlab.inference.bench.Repetition;
import dev.tierlab.inference.llamacpp.LlamaCppEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a check: runs only with -Dtierlab.coldstart.model=FILE. Alternates three ways
 * of starting a repeat (ABCABC...) and prints, for each, the load time, the model's residency
 * before the first token, and the first token's time (pp8):
 * old = drop the pages, load (the runner's cache: cold until now);
 * evict = drop, load, then MADV_PAGEOUT + DONTNEED after the context exists;
 * warm = model kept loaded, fresh context.
 *
 * <pre>mvn -o -q -pl inference test -Dtest=ColdStartMeasurement -Dtierlab.coldstart.model=/tmp/l1b.gguf [-Dtierlab.coldstart.rounds=3]</pre>
 */
class ColdStartMeasurement {

    record Row(String mode, int round, double loadMs, double residentAfterLoad, double residentBeforeFirstToken,
            double firstTokenMs, double residentAfterFirstToken, long minorFaults, long majorFaults, double secondTokenMs) {
    }

    /** This process's minor and major page faults so far (/proc/self/stat fields 10 and 12). */
    static long[] faults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[7]), Long.parseLong(f[9])};
        } catch (java.io.IOException e) {
            return new long[] {-1, -1};
        }
    }

    /** The first pp8 and its page faults, then a second pp8 on the same context. */
    static Row measure(String mode, int round, double loadMs, double afterLoad, double before, EngineContext ctx, BenchTest t, Path file) {
        long[] f0 = faults();
        BenchSample s = Repetition.run(ctx, t, new SplittableRandom(round), null);
        long[] f1 = faults();
        double after = PageCache.residentFraction(file);
        BenchSample again = Repetition.run(ctx, t, new SplittableRandom(round + 1000), null);
        return new Row(mode, round, loadMs, afterLoad, before, s.ttftNanos() / 1e6, after, f1[0] - f0[0], f1[1] - f0[1],
                again.ttftNanos() / 1e6);
    }

    @Test
    void compare() {
        String prop = System.getProperty("tierlab.coldstart.model");
        assumeTrue(prop != null, "set -Dtierlab.coldstart.model=FILE to measure");
        Path file = Path.of(prop);
        assumeTrue(Files.isRegularFile(file), file + " missing");
        int rounds = Integer.getInteger("tierlab.coldstart.rounds", 3);
        int threads = Integer.getInteger("tierlab.coldstart.threads", 2);
        LlamaCppEngine engine = new LlamaCppEngine();
        ContextConfig cc = ContextConfig.defaults(64, threads);
        BenchTest pp8 = new BenchTest(8, 0, 0);
        List<Row> rows = new ArrayList<>();
        LoadedModel warm = engine.load(file);
        try (EngineContext ctx = warm.newContext(cc, LayerHook.NONE)) {
            Repetition.run(ctx, pp8, new SplittableRandom(1), null); // the warm arm's warmup
        }
        for (int r = 0; r < rounds; r++) {
            for (String mode : List.of("old", "evict", "warm")) {
                if (mode.equals("warm")) {
                    try (EngineContext ctx = warm.newContext(cc, LayerHook.NONE)) {
                        rows.add(measure(mode, r, Double.NaN, Double.NaN, PageCache.residentFraction(file), ctx, pp8, file));
                    }
                    continue;
                }
                warm.close(); // nothing of the file may stay mapped
                ColdStart.Load cl = ColdStart.load(engine, file);
                try (LoadedModel m = cl.model(); EngineContext ctx = m.newContext(cc, LayerHook.NONE)) {
                    double res;
                    if (mode.equals("evict")) {
                        PageCache.Eviction ev = PageCache.evict(file);
                        if (!ev.cold()) {
                            System.out.println("problem: " + ev.problem());
                        }
                        res = ev.after().fraction();
                    } else {
                        res = PageCache.residentFraction(file);
                    }
                    if (cl.beforeLoad().fraction() > 0.05) {
                        System.out.println("not dropped before the load: " + cl.beforeLoad());
                    }
                    rows.add(measure(mode, r, cl.loadMillis(), cl.afterLoad().fraction(), res, ctx, pp8, file));
                }
                warm = engine.load(file);
                try (EngineContext ctx = warm.newContext(cc, LayerHook.NONE)) {
                    Repetition.run(ctx, pp8, new SplittableRandom(1), null);
                }
            }
        }
        warm.close();
        System.out.printf("cold start of %s, pp8, t=%d%n", file, threads);
        System.out.println("mode   round  load_ms  resident_after_load  resident_before_first_token  first_token_ms  "
                + "resident_after_first_token  minor_faults  major_faults  second_token_ms");
        for (Row x : rows) {
            System.out.printf(Locale.ROOT, "%-6s %5d %8.0f %20.3f %28.3f %15.1f %27.3f %13d %13d %16.1f%n", x.mode(), x.round(),
                    x.loadMs(), x.residentAfterLoad(), x.residentBeforeFirstToken(), x.firstTokenMs(), x.residentAfterFirstToken(),
                    x.minorFaults(), x.majorFaults(), x.secondTokenMs());
        }
        for (String mode : List.of("old", "evict", "warm")) {
            double[] ft = rows.stream().filter(x -> x.mode().equals(mode)).mapToDouble(Row::firstTokenMs).sorted().toArray();
            double[] ld = rows.stream().filter(x -> x.mode().equals(mode)).mapToDouble(Row::loadMs).sorted().toArray();
            double[] res = rows.stream().filter(x -> x.mode().equals(mode)).mapToDouble(Row::residentBeforeFirstToken).sorted().toArray();
            System.out.printf(Locale.ROOT, "median %-6s load_ms %.0f  resident_before_first_token %.3f  first_token_ms %.1f%n", mode,
                    ld[ld.length / 2], res[res.length / 2], ft[ft.length / 2]);
        }
    }
}
