package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.MemCopyWorkaround;
import com.dylibso.chicory.runtime.OpcodeImpl;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Chicory's guard is switched off only where the JVM keeps out of line every method that guard covers: these tests
 * fail when a Chicory upgrade guards another method, renames one, or stops reading its switch.
 */
class ChicoryWorkaroundTest {

    @Test
    void onlyBothCommandsTogetherCountAsKeepingTheMethodsOutOfLine() {
        String both = String.join("\n", ChicoryWorkaround.OUT_OF_LINE);
        assertTrue(ChicoryWorkaround.keptOutOfLine(both));
        assertTrue(ChicoryWorkaround.keptOutOfLine("quiet\n" + both + "\nexclude,a/B.c"));
        assertFalse(ChicoryWorkaround.keptOutOfLine(ChicoryWorkaround.OUT_OF_LINE.get(0)));
        assertFalse(ChicoryWorkaround.keptOutOfLine(ChicoryWorkaround.OUT_OF_LINE.get(1)));
        assertFalse(ChicoryWorkaround.keptOutOfLine(""));
        assertFalse(ChicoryWorkaround.keptOutOfLine("inline,com/dylibso/chicory/runtime/OpcodeImpl.I32_GE_U"));
    }

    @Test
    void theLogSaysWhenTheSwitchIsOffWithoutTheJvmsCommands() {
        // This JVM (surefire's) runs without the commands: Chicory's guard, unless someone switched it off by hand.
        assertFalse(System.getProperties().containsKey(ChicoryWorkaround.PROPERTY));
        assertTrue(ChicoryWorkaround.description().startsWith("Chicory's megamorphic call sites"));
        System.setProperty(ChicoryWorkaround.PROPERTY, "false");
        try {
            assertTrue(ChicoryWorkaround.description().startsWith("nothing keeps"), ChicoryWorkaround.description());
        } finally {
            System.clearProperty(ChicoryWorkaround.PROPERTY);
        }
    }

    @Test
    void chicorysGuardCoversExactlyTheTwoMethodsTheCommandsName() throws NoSuchMethodException {
        Set<String> guarded = Arrays.stream(MemCopyWorkaround.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .filter(name -> !name.equals("shouldUseMemWorkaround"))
                .collect(Collectors.toSet());
        assertEquals(Set.of("i32_ge_u", "memoryCopy"), guarded);
        // The classes and methods the commands name exist as named (a rename would leave a command matching nothing).
        OpcodeImpl.class.getMethod("I32_GE_U", int.class, int.class);
        ByteArrayMemory.class.getMethod("copy", int.class, int.class, int.class);
        assertEquals(
                "dontinline," + OpcodeImpl.class.getName().replace('.', '/') + ".I32_GE_U",
                ChicoryWorkaround.OUT_OF_LINE.get(0));
        assertEquals(
                "dontinline," + ByteArrayMemory.class.getName().replace('.', '/') + ".copy",
                ChicoryWorkaround.OUT_OF_LINE.get(1));
    }

    @Test
    void theCompiledModuleReadsTheSwitchAndCallsTheMethodsTheCommandsName() throws IOException {
        String shaded;
        try (InputStream in = getClass().getResourceAsStream("CompiledPolicyMachineShaded.class")) {
            assertTrue(in != null, "CompiledPolicyMachineShaded is not on the class path: is the module compiled?");
            shaded = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertTrue(
                shaded.contains(ChicoryWorkaround.PROPERTY), "the module's helpers read " + ChicoryWorkaround.PROPERTY);
        assertTrue(shaded.contains("com/dylibso/chicory/runtime/OpcodeImpl") && shaded.contains("I32_GE_U"));
        assertTrue(shaded.contains("com/dylibso/chicory/runtime/MemCopyWorkaround"));
    }
}
