package io.remora.config.load;

import io.remora.config.validate.ConfigException;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns YAML text into plain maps, lists and scalars, the only place that knows SnakeYAML. The YAML 1.2 core
 * schema is used, so {@code true}/{@code True}, {@code null}/{@code ~} and numbers mean what YAML users expect;
 * duplicate keys are refused rather than the last one silently winning.
 */
final class YamlText {

    private YamlText() {
    }

    /**
     * The one document in {@code yaml}: a map, a list or a scalar, never {@code null}.
     *
     * @throws ConfigException for a syntax error (with its line and column), several documents, or no document
     */
    static Object parse(String yaml, String sourceName) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(sourceName)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .build();
        Object root;
        try {
            root = new Load(settings).loadFromString(yaml);
        } catch (MarkedYamlEngineException e) {
            throw new ConfigException(describe(sourceName, e));
        } catch (YamlEngineException e) {
            throw new ConfigException(sourceName + ": invalid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            throw new ConfigException(sourceName
                    + ": the config is empty, expected top-level keys such as listeners and clusters");
        }
        return root;
    }

    /**
     * {@code x.yaml: invalid YAML at line 3, column 9: mapping values are not allowed here}, with SnakeYAML's
     * context ("while parsing a flow sequence") and where it began, when there is one.
     */
    private static String describe(String sourceName, MarkedYamlEngineException e) {
        StringBuilder out = new StringBuilder(sourceName).append(": invalid YAML");
        e.getProblemMark().ifPresent(mark -> out.append(" at ").append(position(mark)));
        out.append(": ").append(oneLine(e.getProblem()));
        String context = e.getContext() == null ? "" : oneLine(e.getContext());
        if (!context.isEmpty()) {
            Optional<Mark> contextMark = e.getContextMark();
            out.append(" (").append(context);
            contextMark.ifPresent(mark -> out.append(" started at ").append(position(mark)));
            out.append(')');
        }
        return out.toString();
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
    }
}
