package io.kanaal.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Where a source of type file reads: parameter {@code endpoint}, {@code file:<directory>} or, with setting
 * {@code sftp-host}, {@code sftp://<host>:<port>/<directory>}; and {@code connection}, its endpoint options (for
 * SFTP the login: user, password or private key, known hosts; host keys are checked unless
 * {@code sftp-strict-host-key-checking} is {@code no}). The consumer and the report writer of
 * {@code routes/sources/file.camel.yaml} both use {@code <endpoint>?<connection>}. The former setting
 * {@code poll-interval} stops the start: the folder is looked into on {@code poll-cron} now.
 */
@Component
public class FileSourceParameters implements SourceTypeParameters {

    @Override
    public String type() {
        return "file";
    }

    @Override
    public void complete(Map<String, String> values, String settingPrefix) {
        String directory = values.get("directory");
        if (directory == null || directory.isBlank()) {
            throw new IllegalStateException(settingPrefix + "directory is missing (the folder the files are read from)");
        }
        if (values.containsKey("pollInterval")) {
            throw new IllegalStateException(settingPrefix + "poll-interval is replaced by poll-cron, a Quartz cron (in the"
                    + " cluster profile one instance reads the files): \"0/10 * * * * ?\" for every 10 s");
        }
        List<String> connection = new ArrayList<>(List.of("autoCreate=true"));
        String host = values.get("sftpHost");
        if (host == null || host.isBlank()) {
            values.put("endpoint", "file:" + directory.strip());
        } else {
            values.put("endpoint", "sftp://" + host.strip() + ":" + values.getOrDefault("sftpPort", "22").strip() + "/" + directory.strip());
            option(connection, "username", values.get("sftpUser"), false);
            option(connection, "password", values.get("sftpPassword"), true);
            option(connection, "privateKeyFile", values.get("sftpPrivateKeyFile"), false);
            option(connection, "privateKeyPassphrase", values.get("sftpPrivateKeyPassphrase"), true);
            option(connection, "knownHostsFile", values.get("sftpKnownHostsFile"), false);
            option(connection, "strictHostKeyChecking", values.getOrDefault("sftpStrictHostKeyChecking", "yes"), false);
        }
        values.put("connection", String.join("&", connection));
    }

    /** A secret is given RAW: Camel takes it as it is, whatever characters it has. */
    private static void option(List<String> connection, String name, String value, boolean secret) {
        if (value != null && !value.isBlank()) {
            connection.add(name + "=" + (secret ? "RAW(" + value + ")" : value.strip()));
        }
    }
}
