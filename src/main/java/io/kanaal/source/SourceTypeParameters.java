package io.kanaal.source;

import java.util.Map;

/**
 * Template parameters a source type makes from its settings, for what a template cannot say itself (the file type's
 * endpoint, local or SFTP). A bean of this type is applied to the parameters of each source of its {@link #type()}
 * before its routes are made.
 */
public interface SourceTypeParameters {

    /** The source type ({@code kanaal.sources.<id>.type}) these parameters are for. */
    String type();

    /**
     * Adds the derived parameters to {@code values} (the source's settings as camelCase template parameters).
     *
     * @param settingPrefix {@code kanaal.sources.<id>.settings.}, to name a missing or wrong setting
     */
    void complete(Map<String, String> values, String settingPrefix);
}
