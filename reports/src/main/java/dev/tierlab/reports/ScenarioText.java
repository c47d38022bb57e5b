package dev.tierlab.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the report needs from the run's scenario.yaml text without a YAML library: the scenario's
 * question (a top-level {@code question:} key, else the comment block the file opens with) and the
 * target precision ({@code precision:}, a fraction such as 0.02).
 */
public final class ScenarioText {

    private ScenarioText() {
    }

    /** The question, one line, without a leading "Question:"; empty when the scenario has none. */
    public static Optional<String> question(String yaml) {
        List<String> lines = yaml.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("question:")) {
                String v = l.substring("question:".length()).trim();
                if (v.equals("|") || v.equals(">") || v.equals("|-") || v.equals(">-")) {
                    StringBuilder sb = new StringBuilder();
                    for (int j = i + 1; j < lines.size() && (lines.get(j).startsWith(" ") || lines.get(j).isBlank()); j++) {
                        sb.append(' ').append(lines.get(j).trim());
                    }
                    v = sb.toString();
                }
                return clean(unquote(v.trim()));
            }
        }
        List<String> comment = new ArrayList<>();
        for (String l : lines) {
            String t = l.trim();
            if (t.startsWith("#")) {
                String c = t.replaceFirst("^#+\\s?", "").trim();
                if (comment.isEmpty() && c.startsWith("tierlab:")) {
                    continue; // the header tierlab writes into a run's scenario.yaml, not the scenario's own question
                }
                comment.add(c);
            } else if (!t.isEmpty() || !comment.isEmpty()) {
                break;
            }
        }
        return clean(String.join(" ", comment));
    }

    /** The target CI half-width as a fraction, when the scenario sets one. */
    public static OptionalDouble precision(String yaml) {
        for (String l : yaml.lines().toList()) {
            if (l.startsWith("precision:")) {
                String v = l.substring("precision:".length()).replaceFirst("#.*", "").trim();
                try {
                    double d = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100 : Double.parseDouble(v);
                    if (d > 0 && d < 1) {
                        return OptionalDouble.of(d);
                    }
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return OptionalDouble.empty();
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("''", "'");
        }
        return v;
    }

    private static Optional<String> clean(String s) {
        String t = s.replaceAll("\\s+", " ").trim().replaceFirst("(?i)^question:\\s*", "");
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    /**
     * The loss targets a scenario asks its requirement table for ({@code targets: [2.2%, 5%, 10%]}),
     * as fractions in increasing order; empty when it names none or the text is not a scenario.
     */
    public static Optional<double[]> targets(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            return Optional.empty();
        }
        try {
            Object root = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readValue(yaml, Object.class);
            if (!(root instanceof java.util.Map<?, ?> m) || !(m.get("targets") instanceof java.util.List<?> list) || list.isEmpty()) {
                return Optional.empty();
            }
            double[] t = new double[list.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = target(list.get(i));
            }
            java.util.Arrays.sort(t);
            return Optional.of(t);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** "2.2%" or 0.022: a loss target in (0, 1); IllegalArgumentException otherwise. */
    public static double target(Object v) {
        String s = String.valueOf(v).trim();
        double t;
        try {
            t = s.endsWith("%") ? new java.math.BigDecimal(s.substring(0, s.length() - 1).trim()).movePointLeft(2).doubleValue()
                    : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a loss target; write e.g. 2.2% (decode within 2.2% of baseline)");
        }
        if (!(t > 0 && t < 1)) {
            throw new IllegalArgumentException("a loss target must be between 0 and 100%, got '" + v + "'");
        }
        return t;
    }
}
