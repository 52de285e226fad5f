package io.remora.config.load;

import static io.remora.config.load.Configs.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Text that is not one YAML map: syntax errors with their position, empty files, other shapes. */
class YamlSyntaxTest {

    @Test
    void syntaxErrorGivesLineAndColumn() {
        assertEquals(List.of("test.yaml: invalid YAML at line 2, column 13: mapping values are not allowed here"),
                errors("""
                        listeners:
                          - name: in: x
                        """));
    }

    @Test
    void syntaxErrorNamesWhereTheUnfinishedPartStarted() {
        assertEquals(List.of("test.yaml: invalid YAML at line 2, column 1: expected ',' or ']', but got <stream end>"
                        + " (while parsing a flow sequence started at line 1, column 12)"),
                errors("listeners: [ { name: a }\n"));
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertEquals(List.of("test.yaml: invalid YAML at line 2, column 1: found character '\\t(TAB)' that cannot"
                        + " start any token. (Do not use \\t(TAB) for indentation) (while scanning for the next token)"),
                errors("admin:\n\taddress: 127.0.0.1:9901\n"));
    }

    @Test
    void duplicateKeysAreRefusedRatherThanTheLastOneWinning() {
        assertEquals(List.of("test.yaml: invalid YAML at line 3, column 1: found duplicate key drain_timeout"
                        + " (while constructing a mapping started at line 1, column 1)"),
                errors("""
                        drain_timeout: 1s
                        listeners: []
                        drain_timeout: 2s
                        """));
    }

    @Test
    void severalDocumentsAreRefused() {
        assertEquals(List.of("test.yaml: invalid YAML at line 2, column 1: but found another document"
                        + " (expected a single document in the stream started at line 1, column 1)"),
                errors("listeners: []\n---\nclusters: []\n"));
    }

    @Test
    void emptyFileIsAnError() {
        List<String> expected =
                List.of("test.yaml: the config is empty, expected top-level keys such as listeners and clusters");
        assertEquals(expected, errors(""));
        assertEquals(expected, errors("\n  \n"));
        assertEquals(expected, errors("# listeners: []\n"));
        assertEquals(expected, errors("---\n"));
        assertEquals(expected, errors("~\n"));
    }

    @Test
    void topLevelMustBeAMap() {
        assertEquals(List.of("expected a map of top-level keys (admin, drain_timeout, listeners, clusters),"
                + " got a list"), errors("- name: in\n"));
        assertEquals(List.of("\"listeners\": expected a map of top-level keys (admin, drain_timeout, listeners,"
                + " clusters)"), errors("listeners\n"));
    }
}
