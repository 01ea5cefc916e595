package dev.tailor.devtools;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code tailor} command in a JVM of its own, for the benches that time a command as a user runs it. */
final class CliProcess {

    private CliProcess() {}

    /** The JIT options {@code ./tailor} gives {@code observe} (and the developer's commands): see the launcher. */
    static final List<String> JIT_OPTIONS = List.of("-XX:FreqInlineSize=50", "-XX:InlineSmallCode=500");
    /** The JIT options {@code ./tailor} gives every other product command: the first tier only. */
    static final List<String> SHORT_COMMAND_JIT_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

    /**
     * The command line {@code ./tailor} runs for a product command: this JVM's Java, the heap limit given, the
     * collector options this JVM was started with (the launcher gives the developer's commands the same), the JIT
     * options the launcher gives that command, the
     * product's class-data archive when the launcher has made one, and the CLI's own jar — so that a bench times
     * what a user's command costs, start-up included.
     */
    static List<String> command(Path root, String heap, List<String> args) {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:") || a.startsWith("-Xlog:"))
                .filter(a -> !a.startsWith("-XX:SharedArchiveFile="))
                .filter(a -> !JIT_OPTIONS.contains(a) && !SHORT_COMMAND_JIT_OPTIONS.contains(a))
                .forEach(command::add);
        command.addAll(args.get(0).equals("observe") ? JIT_OPTIONS : SHORT_COMMAND_JIT_OPTIONS);
        Path target = root.resolve("policygen/target");
        Path archive = target.resolve("tailor.jsa");
        if (Files.isRegularFile(archive)) {
            command.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        command.addAll(List.of(
                "-jar", target.resolve("tailor-policygen-0.1.0-SNAPSHOT.jar").toString()));
        command.addAll(args);
        return command;
    }
}
