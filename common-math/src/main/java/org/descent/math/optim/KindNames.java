package org.descent.math.optim;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parses config names ("adamw", "inverse-sqrt", "INVERSE_SQRT") into enum constants. */
final class KindNames {
    private KindNames() {}

    static <E extends Enum<E>> E parse(Class<E> type, String what, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is empty; expected one of " + names(type));
        }
        String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(key)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + text + "'; expected one of " + names(type));
    }

    static String configName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> String names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(KindNames::configName).collect(Collectors.joining(", "));
    }
}
