package dev.tailor.devtools;

import dev.tailor.cli.TailorCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code tailor} command in a JVM of its own, for the benches that time a command as a user runs it. */
public final class CliProcess {

    private CliProcess() {}

    /**
     * The command line: this JVM's Java, the heap limit given, and the JVM options this one was started with (as
     * {@code ./tailor} starts a command: the class-data archive, the JIT's inlining limits, the collector).
     */
    public static List<String> command(String heap, List<String> args) {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap));
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:") || a.startsWith("-Xlog:"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TailorCli.class.getName()));
        command.addAll(args);
        return command;
    }
}
