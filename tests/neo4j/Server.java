// A real Neo4j Community server for the test suite, in one source file.
//
//   java -Xmx1g -cp 'lib/*' Server.java 127.0.0.1 <port> <dir>
//
// Runs the in-process server of org.neo4j.test:neo4j-harness with only the
// Bolt connector, on loopback. Prints its bolt:// URI on stdout once it accepts
// connections, then waits: it shuts down when stdin closes (the Python test
// process exited or closed the pipe) or on SIGTERM, so no server outlives the
// tests. Auth is off, unless the environment names a password in
// SURVKG_TEST_NEO4J_PASSWORD: then auth is on and user neo4j has that password
// (for the tests of authentication errors).

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

public final class Server {
    private static final String PASSWORD_ENV = "SURVKG_TEST_NEO4J_PASSWORD";

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java -cp 'lib/*' Server.java HOST PORT DIR");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Path dir = Files.createDirectories(Path.of(args[2]));
        String password = System.getenv(PASSWORD_ENV);

        Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(dir)
                .withDisabledServer()
                .withConfig(HttpConnector.enabled, false)
                .withConfig(HttpsConnector.enabled, false)
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .withConfig(GraphDatabaseSettings.auth_enabled, password != null)
                // not half the machine's RAM (the default), but enough for a push benchmark
                .withConfig(GraphDatabaseSettings.pagecache_memory, 512L * 1024 * 1024)
                // stop in a second, not ten: Bolt's Netty loop otherwise waits out a quiet period
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout,
                        Duration.ofSeconds(2))
                .build();
        if (password != null) {
            neo4j.databaseManagementService().database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        }

        AtomicBoolean closed = new AtomicBoolean(false);
        Runnable stop = () -> {
            if (closed.compareAndSet(false, true)) {
                neo4j.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-shutdown"));

        System.out.println("bolt://" + host + ":" + port);
        System.out.flush();

        waitForEof(System.in);
        stop.run();
        System.exit(0);
    }

    /** Block until the parent closes our stdin (or dies, which closes it too). */
    private static void waitForEof(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // ignore anything written; only the end of the stream matters
            }
        } catch (IOException ignored) {
            // a broken pipe means the parent is gone: shut down as for EOF
        }
    }
}
