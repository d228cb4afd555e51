package io.kanaal.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An SFTP server on 127.0.0.1 (Apache MINA SSHD) for sources of type file: user {@code erp} with a password of
 * its own, its files in a local folder ({@link #root()}), where a test drops and finds them.
 */
public final class TestSftp implements AutoCloseable {

    private static final String USER = "erp";

    private final SshServer server;
    private final Path root;
    private final String password = "pw-" + UUID.randomUUID();

    private TestSftp(Path root) throws IOException {
        this.root = root;
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(root.resolveSibling(root.getFileName() + "-host-key")));
        server.setPasswordAuthenticator((user, given, session) -> USER.equals(user) && password.equals(given));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
    }

    /** A server started on {@code root}, with the folders under it. */
    public static TestSftp start(Path root, String... folders) {
        try {
            for (String folder : folders) {
                Files.createDirectories(root.resolve(folder));
            }
            return new TestSftp(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** A file source's settings ({@code kanaal.sources.<id>.settings.*}) to read {@code directory} on this server. */
    public Map<String, String> sourceSettings(String directory) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sftp-host", "127.0.0.1");
        settings.put("sftp-port", Integer.toString(server.getPort()));
        settings.put("sftp-user", USER);
        settings.put("sftp-password", password);
        settings.put("sftp-strict-host-key-checking", "no");
        settings.put("directory", directory);
        return settings;
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
