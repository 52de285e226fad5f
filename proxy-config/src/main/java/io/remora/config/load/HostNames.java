package io.remora.config.load;

/**
 * Syntax of the host part of an address: a DNS name, an IPv4 literal or an IPv6 literal. Only syntax: nothing is
 * resolved here, the data plane decides when to look names up.
 */
final class HostNames {

    private static final int MAX_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private HostNames() {
    }

    /** Why {@code host} (a name or IPv4 literal, never bracketed) is not a valid host, or {@code null} if it is. */
    static String problem(String host) {
        if (isDigitsAndDots(host)) {
            return isIpv4(host) ? null : "not a valid IPv4 address";
        }
        return isDnsName(host) ? null : "not a valid host name (letters, digits, \"-\", \"_\" and \".\" only)";
    }

    /**
     * A DNS name: dot-separated labels of letters, digits, {@code -} and {@code _} (container runtimes hand out
     * service names with underscores), no label starting or ending with {@code -}; one trailing dot is allowed
     * (an absolute name, which skips the resolver's search domains).
     */
    static boolean isDnsName(String name) {
        String s = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (!isLabel(label)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLabel(String label) {
        if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH
                || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
            return false;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Looks like it was meant as an IPv4 literal, so it is judged as one rather than as a name. */
    static boolean isDigitsAndDots(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** Four decimal octets 0-255, without leading zeros (which some parsers read as octal). */
    static boolean isIpv4(String s) {
        // split drops nothing with limit -1, so every part is dot-free and "digits and dots" means digits
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || !isDigitsAndDots(part) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An IPv6 literal without brackets: eight groups, or fewer with one {@code ::}; may end in IPv4 form. */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap < 0) {
            return groups(s, true) == 8;
        }
        if (s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int head = groups(s.substring(0, gap), false);
        int tail = groups(s.substring(gap + 2), true);
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /** How many 16-bit groups {@code part} holds (an IPv4 tail counts two), or -1 if it is malformed. */
    private static int groups(String part, boolean ipv4TailAllowed) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] groups = part.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (ipv4TailAllowed && i == groups.length - 1 && group.indexOf('.') >= 0) {
                if (!isIpv4(group)) {
                    return -1;
                }
                count += 2;
            } else if (isHexGroup(group)) {
                count++;
            } else {
                return -1;
            }
        }
        return count;
    }

    private static boolean isHexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            return false;
        }
        for (int i = 0; i < group.length(); i++) {
            if (Character.digit(group.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
