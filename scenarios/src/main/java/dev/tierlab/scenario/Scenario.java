package dev.tierlab.scenario;

import dev.tierlab.inference.gguf.GgmlType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated scenario: which model and engine, which workload grid, how often, and the emulation
 * blocks (kept as the YAML gave them, since sweep axes rewrite them per point). {@code root} is the
 * whole document as read, what sweep axes rewrite. {@code repeats} is the minimum number of pairs per
 * point; a point keeps running pairs until the CI half-width of its degradation is within
 * {@code precision} (a fraction; 0 for none) or it has run {@code maxRepeats}.
 */
public record Scenario(
        String name,
        String description,
        ModelRef model,
        String engine,
        String mode,
        int threads,
        Integer context,
        GgmlType kvType,
        Workload workload,
        int repeats,
        int warmup,
        long seed,
        Map<String, Object> emulation,
        List<SweepAxis> sweep,
        Path baseDir,
        Map<String, Object> root,
        double precision,
        int maxRepeats,
        String question) {

    /**
     * A synthesized preset (with quant mix, optional layer cut and, for mixture-of-experts presets, an
     * optional router skew) or a GGUF file.
     */
    /**
     * @param routingTrace a recorded routing (docs/scenarios.md, "Routing traces") whose experts the timeline charges instead of
     *                     the engine's own, by token position; null: the engine's routing
     */
    public record ModelRef(String preset, String quant, Integer layers, Path path, Double routerZipf, Path routingTrace) {
        public ModelRef(String preset, String quant, Integer layers, Path path) {
            this(preset, quant, layers, path, null, null);
        }

        public String label() {
            return path != null ? path.getFileName().toString()
                    : preset + "-" + quant + (layers != null ? "-l" + layers : "")
                    + (routerZipf != null ? "-z%.2f".formatted(routerZipf) : "");
        }
    }

    /** The grid: every prompt length x generation length x depth; cold drops the model's pages. */
    public record Workload(List<Integer> prompt, List<Integer> generate, List<Integer> depth, boolean cold) {
    }

    /** One swept field (a dotted path into the scenario) and its values. */
    public record SweepAxis(String path, List<Object> values) {
    }
}
