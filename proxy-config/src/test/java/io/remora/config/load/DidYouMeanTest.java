package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {

    private static final List<String> KEYS = List.of("name", "address", "routes", "cluster", "tls");

    @Test
    void distanceCountsInsertionsDeletionsSubstitutionsAndSwaps() {
        assertEquals(0, DidYouMean.distance("routes", "routes"));
        assertEquals(1, DidYouMean.distance("rutes", "routes"));
        assertEquals(1, DidYouMean.distance("routess", "routes"));
        assertEquals(1, DidYouMean.distance("rootes", "routes"));
        assertEquals(1, DidYouMean.distance("clsuter", "cluster"));
        assertEquals(6, DidYouMean.distance("", "routes"));
    }

    @Test
    void suggestsTheNearestCloseKey() {
        assertEquals("routes", DidYouMean.nearest("rutes", KEYS));
        assertEquals("address", DidYouMean.nearest("adres", KEYS));
        assertEquals("cluster", DidYouMean.nearest("CLUSTER", KEYS));
    }

    @Test
    void suggestsNothingWhenNothingIsClose() {
        assertNull(DidYouMean.nearest("foo", KEYS));
        assertNull(DidYouMean.nearest("timeout", KEYS));
        // two edits on a three-letter word is a different word, not a typo
        assertNull(DidYouMean.nearest("tcp", KEYS));
    }

    @Test
    void aTieGoesToTheEarlierCandidate() {
        assertEquals("ab", DidYouMean.nearest("abx", List.of("ab", "abc")));
    }
}
