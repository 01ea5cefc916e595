package dev.tailor.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every function of the compiled policy module is one JVM method, and HotSpot never compiles a method of more than
 * 8,000 bytes of bytecode ({@code -XX:HugeMethodLimit}, with {@code DontCompileHugeMethods} on by default): such a
 * function would run in the interpreter on every evaluation. A Rego rule that grows past it (the admission rule that
 * visits all 29 checks did, at 18,073 bytes) must be split.
 */
class CompiledFunctionsTest {

    private static final int HUGE_METHOD_LIMIT = 8000;

    @Test
    void everyCompiledFunctionIsSmallEnoughForTheJit() throws IOException {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        List<String> classes = new ArrayList<>(List.of("CompiledPolicyMachine", "CompiledPolicyMachineMachineCall"));
        for (int group = 0; CompiledFunctionsTest.class.getResource(groupClass(group)) != null; group++) {
            classes.add(groupClass(group).replace(".class", ""));
        }
        for (String name : classes) {
            try (InputStream in = CompiledFunctionsTest.class.getResourceAsStream(name + ".class")) {
                assertTrue(in != null, name + " is not on the class path: is the policy module compiled?");
                codeLengths(new DataInputStream(in))
                        .forEach((method, length) -> sizes.put(name + "." + method, length));
            }
        }
        assertTrue(sizes.keySet().stream().filter(m -> m.contains(".func_")).count() > 500, "the module's functions");
        Map<String, Integer> huge = new LinkedHashMap<>();
        sizes.forEach((method, length) -> {
            if (length > HUGE_METHOD_LIMIT) {
                huge.put(method, length);
            }
        });
        int largest = sizes.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        System.out.printf("compiled policy: %d methods, the largest %d bytes of bytecode%n", sizes.size(), largest);
        assertEquals(Map.of(), huge, "methods the JIT would leave to the interpreter (bytes of bytecode)");
    }

    private static String groupClass(int group) {
        return "CompiledPolicyMachineFuncGroup_" + group + ".class";
    }

    /** Each method's {@code code_length} from its Code attribute (JVMS 4.7.3), by name. */
    private static Map<String, Integer> codeLengths(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // a long or double takes two entries
                }
                default -> throw new IOException("constant pool tag " + tag + " at entry " + i);
            }
        }
        in.skipNBytes(6); // access flags, this class, super class
        in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
        for (int fields = in.readUnsignedShort(); fields > 0; fields--) {
            in.skipNBytes(6);
            skipAttributes(in);
        }
        Map<String, Integer> lengths = new LinkedHashMap<>();
        for (int methods = in.readUnsignedShort(); methods > 0; methods--) {
            in.skipNBytes(2);
            String name = utf8[in.readUnsignedShort()];
            in.skipNBytes(2);
            for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--) {
                String attribute = utf8[in.readUnsignedShort()];
                int length = in.readInt();
                if (attribute.equals("Code")) {
                    in.skipNBytes(4); // max_stack, max_locals
                    lengths.merge(name, in.readInt(), Math::max);
                    in.skipNBytes(length - 8L);
                } else {
                    in.skipNBytes(length);
                }
            }
        }
        return lengths;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        for (int attributes = in.readUnsignedShort(); attributes > 0; attributes--) {
            in.skipNBytes(2);
            in.skipNBytes(in.readInt());
        }
    }
}
