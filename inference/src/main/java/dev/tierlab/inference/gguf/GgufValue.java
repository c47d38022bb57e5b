package dev.tierlab.inference.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One GGUF metadata value. Scalars hold boxed Java values (unsigned types widened: UINT32 as Long,
 * UINT64 as Long bit pattern); arrays hold a {@link List} of such values or strings.
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (type == GgufValueType.ARRAY) {
            Objects.requireNonNull(elementType, "elementType of an array");
        }
    }

    public static GgufValue of(GgufValueType type, Object value) {
        return new GgufValue(type, null, value);
    }

    public static GgufValue string(String s) {
        return of(GgufValueType.STRING, s);
    }

    public static GgufValue u32(long v) {
        return of(GgufValueType.UINT32, v);
    }

    public static GgufValue f32(float v) {
        return of(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return of(GgufValueType.BOOL, v);
    }

    public static GgufValue array(GgufValueType elementType, List<?> values) {
        return new GgufValue(GgufValueType.ARRAY, elementType, List.copyOf(values));
    }

    public boolean isArray() {
        return type == GgufValueType.ARRAY;
    }

    public List<?> asList() {
        if (!isArray()) {
            throw new IllegalStateException("not an array: " + type);
        }
        return (List<?>) value;
    }

    public long asLong() {
        return switch (value) {
            case Number n -> n.longValue();
            case Boolean b -> b ? 1 : 0;
            default -> throw new IllegalStateException("not a number: " + type);
        };
    }

    public double asDouble() {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalStateException("not a number: " + type);
    }

    public String asString() {
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalStateException("not a string: " + type);
    }

    /** A short human rendering: arrays show their element type and length only. */
    public String display() {
        return isArray() ? "[%s x %d]".formatted(elementType.name().toLowerCase(), asList().size()) : String.valueOf(value);
    }
}
