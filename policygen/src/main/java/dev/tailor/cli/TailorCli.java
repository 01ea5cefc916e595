package dev.tailor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tailor} — least privilege for Kubernetes workloads, from observed evidence.
 *
 * <p>Exit codes ({@link #EXIT_CODES}, in every command's {@code --help}): 0 done, 1 error, 2 bad usage or input, 3 the
 * preview found something that would be denied.
 */
@Command(
        name = "tailor",
        mixinStandardHelpOptions = true,
        version = TailorCli.VERSION,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Least privilege for Kubernetes workloads, from observed evidence.",
        subcommands = {
            ObserveCommand.class,
            GenerateCommand.class,
            ImpactCommand.class,
            PrCommand.class,
            ProposeCommand.class,
            ModeCommand.Enforce.class,
            ModeCommand.Audit.class
        })
public final class TailorCli implements Runnable {

    /** What {@code --version} prints, under {@code tailor} and under each of its commands. */
    public static final String VERSION = "tailor 0.1.0";

    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int WOULD_DENY = 3;

    /** One contract for every command, printed under its --help. */
    public static final java.util.Map<String, String> EXIT_CODES = new java.util.LinkedHashMap<>();

    static {
        EXIT_CODES.put(" 0", "done");
        EXIT_CODES.put(
                " 1", "error: a file, the store, the cluster or a service failed (the message says which and why)");
        EXIT_CODES.put(" 2", "usage: an option or input given wrong (nothing was changed)");
        EXIT_CODES.put(
                " 3", "would deny: the preview found observed behaviour the proposal or enforce mode would reject");
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // No java.util.logging set-up here: its LogManager takes 70 ms to start. Flyway logs through SLF4J, bound
        // to slf4j-nop (it narrates every migration check; a failed migration surfaces as the error that stops the
        // command); the demo's API stand-in quiets its own logger (LocalKubernetes).
        System.exit(execute(args));
    }

    /** Runs {@code tailor ARGS} as typed on the command line (without exiting); returns its exit code. */
    public static int execute(String... args) {
        return execute(TailorCli.class, args);
    }

    /**
     * Runs {@code ARGS} as typed on the command line under the top-level command {@code root} (this one, or the
     * developer's commands), with the same exit codes and option checks; returns its exit code.
     */
    public static int execute(Class<?> root, String... args) {
        return execute(root, CommandLine.defaultFactory(), args);
    }

    /** As {@link #execute(Class, String...)}, the commands made by {@code factory}. */
    static int execute(Class<?> root, CommandLine.IFactory factory, String... args) {
        CommandLine cli = commandLine(root, factory, args);
        return cli.execute(
                args.length > 0 && cli.getCommandName().equals("tailor " + args[0])
                        ? java.util.Arrays.copyOfRange(args, 1, args.length)
                        : args);
    }

    /**
     * What went wrong, for the one line a command that failed prints: a file system exception's message is only the
     * file's name ("tailor: /x/y" said nothing), so it gets the reason beside it.
     */
    public static String describe(Exception e) {
        if (e instanceof java.nio.file.FileSystemException f) {
            String reason = f instanceof java.nio.file.NoSuchFileException
                    ? "no such file or directory"
                    : f instanceof java.nio.file.AccessDeniedException
                            ? "permission denied"
                            : f instanceof java.nio.file.FileAlreadyExistsException
                                    ? "already exists"
                                    : f instanceof java.nio.file.NotDirectoryException
                                            ? "not a directory"
                                            : f instanceof java.nio.file.DirectoryNotEmptyException
                                                    ? "directory not empty"
                                                    : f.getReason() != null
                                                            ? f.getReason()
                                                            : f.getClass().getSimpleName();
            return (f.getFile() == null ? "" : f.getFile() + ": ")
                    + reason
                    + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")");
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * The command line for {@code args}: only the subcommand they name, when they name one, as {@code tailor NAME};
     * else all of {@code root}. Building the model of all the commands (picocli reflects over every option of each)
     * took a tenth of a second of every start, most of the time of a short one.
     */
    public static CommandLine commandLine(Class<?> root, String[] args) {
        return commandLine(root, CommandLine.defaultFactory(), args);
    }

    private static CommandLine commandLine(Class<?> root, CommandLine.IFactory factory, String[] args) {
        if (args.length > 0) {
            for (Class<?> sub : root.getAnnotation(Command.class).subcommands()) {
                if (sub.getAnnotation(Command.class).name().equals(args[0])) {
                    CommandLine alone = new CommandLine(sub, factory).setCommandName("tailor " + args[0]);
                    alone.getCommandSpec().version(VERSION);
                    return withContract(alone);
                }
            }
        }
        CommandLine all = withContract(new CommandLine(root, factory));
        all.getSubcommands().values().forEach(TailorCli::withContract);
        return all;
    }

    /**
     * The exit codes under --help, and no negative number accepted where a count, a size or a time is asked for
     * ({@code --threads -3} was taken): every numeric option of Tailor's is one of those.
     */
    private static CommandLine withContract(CommandLine cli) {
        // A command line picocli cannot parse (an unknown option, a missing one, a value of the wrong type or range)
        // is a usage error; anything a command throws is an error, said in one line.
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : ERROR);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("tailor: " + describe(e));
            return ERROR;
        });
        cli.getCommandSpec()
                .usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(EXIT_CODES);
        CommandLine.ITypeConverter<Integer> count = text -> (int) nonNegative(text, Integer.MAX_VALUE);
        CommandLine.ITypeConverter<Long> longCount = text -> nonNegative(text, Long.MAX_VALUE);
        CommandLine.ITypeConverter<Double> rate = text -> {
            double d = Double.parseDouble(text);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a number above 0");
            }
            return d;
        };
        return cli.registerConverter(Integer.class, count)
                .registerConverter(Integer.TYPE, count)
                .registerConverter(Long.class, longCount)
                .registerConverter(Long.TYPE, longCount)
                .registerConverter(Double.class, rate)
                .registerConverter(Double.TYPE, rate);
    }

    private static long nonNegative(String text, long max) {
        long n;
        try {
            n = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number");
        }
        if (n < 0 || n > max) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number from 0 to " + max);
        }
        return n;
    }
}
