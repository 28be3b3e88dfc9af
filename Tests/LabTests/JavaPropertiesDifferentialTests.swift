import Foundation
import TestSupport
import Testing

@testable import Lab

/// `JavaProperties` against `java.util.Properties.load` itself, when a JDK is on the
/// machine: the same texts (hand-picked edge cases and seeded random ones over the
/// characters that matter) through both, compared entry by entry.
@Suite("Java properties reader against java.util.Properties")
struct JavaPropertiesDifferentialTests {
    static let javaAvailable: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["java", "-version"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// Loads each file named on the command line (UTF-8) and prints its entries sorted
    /// by key, every character outside printable ASCII (and the backslash and brackets) as \uXXXX.
    static let loader = """
        import java.util.*; import java.io.*;
        public class Load { public static void main(String[] a) throws Exception {
          for (String f : a) {
            System.out.println("%%FILE " + f);
            Properties p = new Properties();
            try { p.load(new InputStreamReader(new FileInputStream(f), "UTF-8")); }
            catch (IllegalArgumentException e) { System.out.println("malformed"); continue; }
            for (String k : new TreeSet<>(p.stringPropertyNames())) System.out.println(esc(k) + "=" + esc(p.getProperty(k)));
          }
        }
        static String esc(String s) { StringBuilder b = new StringBuilder("[");
          for (char c : s.toCharArray()) { if (c < 0x20 || c > 0x7e || c == '\\\\' || c == '[' || c == ']') b.append(String.format("\\\\u%04x", (int) c)); else b.append(c); }
          return b.append("]").toString(); }
        }
        """

    static func escaped(_ s: String) -> String {
        "["
            + s.utf16.map { c in
                c < 0x20 || c > 0x7E || c == 0x5C || c == 0x5B || c == 0x5D
                    ? String(format: "\\u%04x", c) : String(UnicodeScalar(UInt8(c)))
            }.joined() + "]"
    }

    static let cases = [
        "a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\ng   =   7\n", "k1 = =v\nk4 :: x\n\\ lead=1", "# c\n! c\n  # c\nk=v # not",
        "lonely\nother=", "f a, \\\n   b, \\\n\tc", "p=C:\\\\d\\\\\nn=2", "k=a\\\n#b", "# c \\\nk=v", "k=abc\\",
        "a=1\r\nb=2\rc=3\\\r\n  4", "t=a\\tb\\nc\\rd\\fe\nq=\\q\\z\\b\nmy\\ key\\=\\:x = v\\=1",
        "g=\\u03b1\\u03B2\ne=\\uD83D\\uDE00\nu=ünïcode", "b=\\u12", "b=\\u12G4", "k=a\\\n\nnext=b", "\\\n", "=v", ":v",
        " \t\u{0C}k\u{0C}v", "k=\\", "k\\\n  ey=v", "k=v\\\\\\\\", "k\\:=x", "#\\u00\nk=v", "k=\\u0041\\u0042",
    ]

    /// Random texts over the characters the format gives a meaning to.
    static func randomCases(count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed)
        // No % in it: the loader marks each file with "%%FILE".
        let alphabet = Array("ab=: \t\\\\\n\n\r#!u0fG")
        return (0..<count).map { _ in
            String((0..<Int.random(in: 1...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
    }

    @Test(.enabled(if: javaAvailable, "needs a JDK (java) on PATH"))
    func sameEntriesAsJava() throws {
        let seed = UInt64.random(in: 1...UInt64(UInt32.max))
        let texts = Self.cases + Self.randomCases(count: 300, seed: seed)
        let dir = NSTemporaryDirectory() + "kafkalab-jprops-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.loader.write(toFile: dir + "/Load.java", atomically: true, encoding: .utf8)
        var files: [String] = []
        for (i, text) in texts.enumerated() {
            let path = dir + "/\(i).properties"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let loaded = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["java", dir + "/Load.java"] + files, timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let blocks = loaded.stdout.components(separatedBy: "%%FILE ").dropFirst()
        #expect(blocks.count == texts.count)
        for (text, block) in zip(texts, blocks) {
            let java = block.split(separator: "\n").dropFirst().map(String.init)
            let ours: [String]
            do {
                ours = try JavaProperties.dictionary(text).sorted {
                    $0.key.utf16.lexicographicallyPrecedes($1.key.utf16)
                }
                .map { Self.escaped($0.key) + "=" + Self.escaped($0.value) }
            } catch {
                ours = ["malformed"]
            }
            #expect(ours == java, "seed \(seed): \(text.debugDescription)")
        }
    }
}
