package dev.tierlab.emulator.placement;

import dev.tierlab.emulator.access.AccessMode;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;

/**
 * Puts weight bytes on a tier. Every criterion given must match: a GGUF tensor-name glob
 * ({@code blk.*.ffn_*}), an inclusive layer range, a tensor class. {@code fraction} takes that share
 * of each matching tensor's bytes not yet placed (FlexGen-style percentages); the rest falls to
 * later rules, then to the default tier. {@code access} is how the reference uses those bytes (null: the
 * scenario's or the tier's default). {@code experts} (null: all) restricts the rule to some routed experts
 * of mixture-of-experts blocks; such a rule takes no other tensor.
 */
public record WeightRule(String tier, String nameGlob, Integer layerFrom, Integer layerTo, String tensorClass, double fraction,
        AccessMode access, ExpertSelector experts) {

    public WeightRule(String tier, String nameGlob, Integer layerFrom, Integer layerTo, String tensorClass, double fraction) {
        this(tier, nameGlob, layerFrom, layerTo, tensorClass, fraction, null, null);
    }

    public WeightRule(String tier, String nameGlob, Integer layerFrom, Integer layerTo, String tensorClass, double fraction,
            AccessMode access) {
        this(tier, nameGlob, layerFrom, layerTo, tensorClass, fraction, access, null);
    }

    public WeightRule {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1]: " + fraction);
        }
    }

    public static WeightRule all(String tier) {
        return new WeightRule(tier, null, null, null, null, 1);
    }

    public boolean matches(TensorRef t) {
        if (experts != null && !t.isRoutedExperts()) {
            return false;
        }
        if (nameGlob != null && !glob(nameGlob).matches(Path.of(t.name()))) {
            return false;
        }
        if (layerFrom != null && (t.layer() < 0 || t.layer() < layerFrom)) {
            return false;
        }
        if (layerTo != null && (t.layer() < 0 || t.layer() > layerTo)) {
            return false;
        }
        return tensorClass == null || tensorClass.equals(t.tensorClass());
    }

    private static PathMatcher glob(String g) {
        // Tensor names have no '/', so a path glob over a one-segment path is a plain name glob.
        return FileSystems.getDefault().getPathMatcher("glob:" + g);
    }
}
