package dev.tailor.policy;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Which guard keeps the compiled module clear of a HotSpot C2 miscompilation on Java 17.
 *
 * <p>With {@code OpcodeImpl.I32_GE_U} (WebAssembly's unsigned {@code >=}) or {@code Memory.copy} inlined into a
 * compiled WebAssembly function, C2 on Java 17 miscompiles some programs (Chicory issue 843: out-of-bounds reads in a
 * C++ program's loops). Chicory's own guard calls both through call sites it trains to be megamorphic, so that C2
 * cannot inline them; on a Pod's review a tenth of the decision's samples are in that call. The JVM keeps the two
 * methods out of line as surely, for the price of a plain call (4–5 % of an evaluation less, docs/benchmarks.md), when
 * it runs with {@code -XX:CompileCommand=dontinline} on both — the check Chicory's maintainers made the bug go away
 * with. The webhook's Deployment starts its JVM so;
 * then, and only then, Chicory's guard is switched off ({@value #PROPERTY}{@code =false}). A JVM without both commands
 * (the CLI, the tests) keeps Chicory's guard, and so does one where {@value #PROPERTY} was set explicitly.
 */
final class ChicoryWorkaround {

    /** Chicory's switch for its guard, read once when the compiled module's helper class is initialized. */
    static final String PROPERTY = "chicory.memCopyWorkaround";

    /** The JVM's compile commands that keep both methods out of line, as {@code -XX:CompileCommand=} gives them. */
    static final List<String> OUT_OF_LINE = List.of(
            "dontinline,com/dylibso/chicory/runtime/OpcodeImpl.I32_GE_U",
            "dontinline,com/dylibso/chicory/runtime/ByteArrayMemory.copy");

    private ChicoryWorkaround() {}

    /**
     * Switches Chicory's guard off where the JVM keeps both methods out of line. Runs before the compiled module's
     * classes are initialized: {@link WasmPolicy}'s module holder calls it first, under its class's initialization lock.
     */
    static void apply() {
        if (System.getProperty(PROPERTY) == null && keptOutOfLine(compileCommands())) {
            System.setProperty(PROPERTY, "false");
        }
    }

    /** Whether the JVM's {@code CompileCommand} option (one command per line) holds both {@link #OUT_OF_LINE}. */
    static boolean keptOutOfLine(String compileCommands) {
        return List.of(compileCommands.split("\n")).containsAll(OUT_OF_LINE);
    }

    /** Which guard is in effect, for the log. */
    static String description() {
        if (!"false".equals(System.getProperty(PROPERTY))) {
            return "Chicory's megamorphic call sites keep its unsigned compare and memory copy out of line";
        }
        return keptOutOfLine(compileCommands())
                ? "the JVM keeps Chicory's unsigned compare and memory copy out of line (-XX:CompileCommand=dontinline)"
                : "nothing keeps Chicory's unsigned compare and memory copy out of line: " + PROPERTY
                        + "=false was set without the JVM's -XX:CompileCommand=dontinline on both, which Java 17 needs";
    }

    private static String compileCommands() {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("CompileCommand")
                    .getValue();
        } catch (RuntimeException notHotSpot) {
            return "";
        }
    }
}
