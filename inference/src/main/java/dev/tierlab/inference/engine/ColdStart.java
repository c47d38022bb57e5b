package dev.tierlab.inference.engine;

import java.nio.file.Path;

/**
 * A cold start measured in its parts: the load, timed from a file with no page in the page cache,
 * and a first token that really reads the weights from the disk.
 *
 * <p>Why two steps: llama.cpp maps the model with {@code MAP_POPULATE} and {@code WILLNEED}, so its
 * load reads the whole file; dropping the pages before the load makes the <i>load</i> cold, and the
 * first token then finds every page resident. To make the first token cold as well, evict the
 * mapped pages after the load and after everything else that precedes the first token (context,
 * hooks, an emulator's compute profile, which runs tokens):
 *
 * <pre>{@code
 * loaded.close();                                          // the previous repeat's model
 * ColdStart.Load cl = ColdStart.load(engine, modelFile);   // load_ms = cl.loadMillis()
 * try (EngineContext ctx = cl.model().newContext(cc, hook)) {
 *     PageCache.Eviction ev = PageCache.evict(modelFile);  // resident before the first token = ev.after().fraction()
 *     if (!ev.cold()) err.println("tierlab: " + ev.problem());
 *     BenchSample s = Repetition.run(ctx, test, rnd, hook); // cold first token = s.ttftNanos()
 * }
 * }</pre>
 */
public final class ColdStart {

    private ColdStart() {
    }

    /**
     * A model loaded from a dropped page cache: the load's wall time, the file's residency just
     * before the load (near 0 when the drop worked) and just after it (near 1 for llama.cpp, which
     * reads the whole file at load), and posix_fadvise's result.
     */
    public record Load(LoadedModel model, long loadNanos, PageCache.Residency beforeLoad, PageCache.Residency afterLoad,
            int dropResult) {
        public double loadMillis() {
            return loadNanos / 1e6;
        }
    }

    /**
     * Drops the file's pages (POSIX_FADV_DONTNEED; pages this process still maps stay, so close the
     * previous model first), then loads it with {@code engine}, timing the load.
     */
    public static Load load(InferenceEngine engine, Path file) {
        int rc = PageCache.drop(file);
        PageCache.Residency before = PageCache.residency(file);
        long t0 = System.nanoTime();
        LoadedModel model = engine.load(file);
        long loadNanos = System.nanoTime() - t0;
        PageCache.Residency after = PageCache.residency(file);
        return new Load(model, loadNanos, before, after, rc);
    }
}
