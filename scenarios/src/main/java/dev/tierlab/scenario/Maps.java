package dev.tierlab.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deep copies of YAML maps with one dotted path set: how a sweep axis makes each point's scenario. */
final class Maps {
    private Maps() {
    }

    /**
     * A deep copy of {@code root} with {@code path} set to {@code value}: dotted keys (a.b.c), list
     * elements by index (placement.weights[0].fraction); missing maps are created, lists are not.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> withValue(Map<String, Object> root, String path, Object value) {
        Map<String, Object> copy = (Map<String, Object>) deepCopy(root);
        String[] parts = path.split("\\.");
        Object at = copy;
        for (int i = 0; i < parts.length; i++) {
            String key = parts[i];
            int index = -1;
            int bracket = key.indexOf('[');
            if (bracket > 0 && key.endsWith("]")) {
                index = Integer.parseInt(key.substring(bracket + 1, key.length() - 1));
                key = key.substring(0, bracket);
            }
            Map<String, Object> map = (Map<String, Object>) at;
            boolean last = i == parts.length - 1;
            if (index < 0) {
                if (last) {
                    map.put(key, value);
                    return copy;
                }
                if (!(map.get(key) instanceof Map<?, ?>)) {
                    map.put(key, new LinkedHashMap<String, Object>());
                }
                at = map.get(key);
            } else {
                if (!(map.get(key) instanceof List<?> list) || index >= list.size()) {
                    throw new dev.tierlab.emulator.SpecException("sweep." + path, "no list element " + key + "[" + index + "] to set");
                }
                List<Object> l = (List<Object>) map.get(key);
                if (last) {
                    l.set(index, value);
                    return copy;
                }
                if (!(l.get(index) instanceof Map<?, ?>)) {
                    throw new dev.tierlab.emulator.SpecException("sweep." + path, key + "[" + index + "] is not a map");
                }
                at = l.get(index);
            }
        }
        return copy;
    }

    static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(String.valueOf(k), deepCopy(v)));
            return c;
        }
        if (o instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(v -> c.add(deepCopy(v)));
            return c;
        }
        return o;
    }

    /**
     * Whether every map along {@code path} but the last key exists in {@code root}, so that a sweep
     * rewrites a field of something the scenario declares instead of creating a new tier or rule.
     * Returns the first missing prefix, or null.
     */
    static String missingParent(Map<String, Object> root, String path) {
        String[] parts = path.split("\\.");
        Object node = root;
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            String key = parts[i];
            int bracket = key.indexOf('[');
            String name = bracket < 0 ? key : key.substring(0, bracket);
            at.append(at.length() == 0 ? "" : ".").append(key);
            if (!(node instanceof Map<?, ?> m) || !m.containsKey(name)) {
                return at.toString();
            }
            node = m.get(name);
            if (bracket >= 0) {
                int index;
                try {
                    index = Integer.parseInt(key.substring(bracket + 1, key.indexOf(']')));
                } catch (RuntimeException e) {
                    return at.toString();
                }
                if (!(node instanceof java.util.List<?> l) || index < 0 || index >= l.size()) {
                    return at.toString();
                }
                node = l.get(index);
            }
        }
        return null;
    }
}
