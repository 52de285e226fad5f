package io.remora.config.load;

import io.remora.config.model.RemoraConfig;
import io.remora.config.validate.ConfigException;
import io.remora.config.validate.ConfigValidator;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The way in from a YAML file to a validated {@link RemoraConfig}: startup, reload and {@code remora validate}
 * all go through here, so they accept and refuse exactly the same files. Reading never stops at the first
 * problem: every error in the file is reported in one {@link ConfigException}, each with the path of its key.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Reads and validates {@code file}.
     *
     * <p>A file the operator can fix is reported as a {@link ConfigException} like any other config error:
     * {@code cannot read config file /x/y.yaml: no such file} (also "is a directory", "permission denied",
     * "not valid UTF-8"). Only unexpected failures of the system are an {@link IOException}.
     *
     * @throws ConfigException listing every problem found, if the file cannot be used
     * @throws IOException     if reading fails for a reason other than those above
     */
    public static RemoraConfig load(Path file) throws ConfigException, IOException {
        return parse(ConfigFile.read(file), file.toString());
    }

    /**
     * Parses and validates YAML text.
     *
     * @param sourceName names the text in messages about it as a whole (syntax errors, empty), usually the path
     * @throws ConfigException listing every problem found, if the text is not a valid config
     */
    public static RemoraConfig parse(String yaml, String sourceName) throws ConfigException {
        Object root = YamlText.parse(yaml, sourceName);
        ErrorList errors = new ErrorList();
        RemoraConfig config = ConfigReader.read(root, errors);
        errors.addAll(ConfigValidator.validate(config));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors.toList());
        }
        return config;
    }
}
