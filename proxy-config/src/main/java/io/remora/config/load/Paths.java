package io.remora.config.load;

/** Builds error paths in the one notation the messages use: {@code listeners[0].routes[1].match.prefix}. */
final class Paths {

    private Paths() {
    }

    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String list, int index) {
        return list + "[" + index + "]";
    }
}
