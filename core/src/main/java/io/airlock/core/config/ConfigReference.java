package io.airlock.core.config;

/**
 * Renders a {@link ConfigDefinition} as a Markdown reference: one section per group, one table row per setting with key,
 * type and constraints, default, and documentation. The reference is generated, so it cannot contradict the code.
 */
public final class ConfigReference {

    private ConfigReference() {
    }

    /**
     * @param intro Markdown put before the generated sections (a title and a short explanation)
     * @return the reference, with {@code \n} line ends and one trailing newline
     */
    public static String markdown(ConfigDefinition definition, String intro) {
        var out = new StringBuilder(intro.strip()).append("\n");
        for (ConfigDefinition.Group group : definition.groups()) {
            out.append("\n## ").append(group.title()).append("\n\n");
            if (!group.description().isBlank()) {
                out.append(group.description().strip()).append("\n\n");
            }
            out.append("| Key | Type | Default | Description |\n");
            out.append("|---|---|---|---|\n");
            for (Setting<?> s : group.settings()) {
                out.append("| ").append(keyCell(s))
                        .append(" | ").append(cell(s.typeDescription()))
                        .append(" | ").append(defaultCell(s))
                        .append(" | ").append(descriptionCell(s))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    private static String keyCell(Setting<?> s) {
        return s.isSecret() ? "`" + s.envKey() + "`<br>`" + s.fileKey() + "`" : "`" + s.key() + "`";
    }

    private static String defaultCell(Setting<?> s) {
        return switch (s.presence()) {
            case DEFAULT -> "`" + cell(s.defaultDescription()) + "`";
            case REQUIRED -> "**required**";
            case OPTIONAL -> "*" + cell(s.defaultDescription()) + "*";
        };
    }

    private static String descriptionCell(Setting<?> s) {
        var text = new StringBuilder();
        s.reserved().ifPresent(why -> text.append("**Reserved:** ").append(why).append(". "));
        text.append(s.documentation());
        if (s.isSecret()) {
            text.append(" Secret: the name of an environment variable (`").append(s.envKey())
                    .append("`) or of a file holding the value (`").append(s.fileKey()).append("`), never the value itself.");
        }
        return cell(text.toString());
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
