package dev.tierlab.inference.cuda;

import java.util.Locale;

/**
 * Where the CUDA engine keeps the layer weights, from the engine name: {@code cuda} (HBM),
 * {@code cuda:host-mapped} (mapped pinned host memory, read in place by the kernels over PCIe) or
 * {@code cuda:pcie-pinned} (pinned host memory, staged into HBM by cudaMemcpyAsync on a copy stream,
 * {@code prefetch} layers ahead). {@code @A-B} limits the lower tier to layers A..B (inclusive),
 * {@code /d=N} sets the prefetch depth (default 1). Embedding, output head, norms and the KV cache
 * always stay in HBM.
 *
 * <pre>cuda   cuda:host-mapped   cuda:pcie-pinned/d=2   cuda:host-mapped@0-7</pre>
 */
public record CudaPlacement(Tier tier, int firstLayer, int lastLayer, int prefetch) {

    public enum Tier {
        HBM("hbm"), HOST_MAPPED("host-mapped"), PCIE_PINNED("pcie-pinned");

        final String label;

        Tier(String label) {
            this.label = label;
        }
    }

    public CudaPlacement {
        if (firstLayer < 0 || lastLayer < firstLayer) {
            throw new IllegalArgumentException("layers %d-%d: write @A-B with 0 <= A <= B".formatted(firstLayer, lastLayer));
        }
        if (prefetch < 1 || prefetch > 8) {
            throw new IllegalArgumentException("prefetch depth %d: write /d=N with 1 <= N <= 8".formatted(prefetch));
        }
    }

    public static final CudaPlacement ALL_HBM = new CudaPlacement(Tier.HBM, 0, Integer.MAX_VALUE, 1);

    /** Whether {@code name} is a CUDA engine name ("cuda" or "cuda:..."). */
    public static boolean isCuda(String name) {
        return name.equals("cuda") || name.startsWith("cuda:");
    }

    /** Parses an engine name; throws IllegalArgumentException with the fix on a bad one. */
    public static CudaPlacement parse(String name) {
        if (name.equals("cuda")) {
            return ALL_HBM;
        }
        if (!name.startsWith("cuda:")) {
            throw new IllegalArgumentException("'%s' is not a CUDA engine name; write cuda, cuda:host-mapped or cuda:pcie-pinned".formatted(name));
        }
        String rest = name.substring(5);
        int prefetch = 1;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String d = rest.substring(slash + 1);
            if (!d.matches("d=[0-9]+")) {
                throw new IllegalArgumentException("engine '%s': '/%s' is not a prefetch depth; write /d=1".formatted(name, d));
            }
            prefetch = Integer.parseInt(d.substring(2));
            rest = rest.substring(0, slash);
        }
        int first = 0;
        int last = Integer.MAX_VALUE;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String layers = rest.substring(at + 1);
            if (!layers.matches("[0-9]+(-[0-9]+)?")) {
                throw new IllegalArgumentException("engine '%s': '@%s' is not a layer range; write @0-7".formatted(name, layers));
            }
            String[] ab = layers.split("-");
            first = Integer.parseInt(ab[0]);
            last = Integer.parseInt(ab[ab.length - 1]);
            rest = rest.substring(0, at);
        }
        Tier tier = switch (rest.toLowerCase(Locale.ROOT)) {
            case "hbm" -> Tier.HBM;
            case "host-mapped" -> Tier.HOST_MAPPED;
            case "pcie-pinned" -> Tier.PCIE_PINNED;
            default -> throw new IllegalArgumentException("engine '%s': unknown GPU tier '%s'; use hbm, host-mapped or pcie-pinned".formatted(name, rest));
        };
        return new CudaPlacement(tier, first, last, prefetch);
    }

    /** The tier of layer {@code l}'s matrices. */
    public Tier tierOf(int l) {
        return l >= firstLayer && l <= lastLayer ? tier : Tier.HBM;
    }

    public String engineName() {
        if (tier == Tier.HBM) {
            return "cuda";
        }
        String layers = firstLayer == 0 && lastLayer == Integer.MAX_VALUE ? "" : "@" + firstLayer + "-" + lastLayer;
        return "cuda:" + tier.label + layers + (tier == Tier.PCIE_PINNED && prefetch != 1 ? "/d=" + prefetch : "");
    }
}
