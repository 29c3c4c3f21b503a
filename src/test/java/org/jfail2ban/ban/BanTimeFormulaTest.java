package org.jfail2ban.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfail2ban.testing.Oracle;
import org.jfail2ban.testing.Proc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our evaluator against Python's own eval, and its refusals. */
class BanTimeFormulaTest {

    /** Formulas of the stock jail.conf, fail2ban's documentation and tests, and Python's corners. */
    static final List<String> FORMULAS = List.of(
            BanTimeIncrement.DEFAULT_FORMULA,
            "ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)",
            "ban.Time * banFactor * 2**ban.Count",
            "ban.Time * (1 << min(ban.Count, 20))",
            "max(ban.Time, min(ban.Time * ban.Count ** 2, 86400))",
            "int(ban.Time * math.log(ban.Count + 1) * banFactor)",
            "ban.Time * math.sqrt(ban.Count) + 0.5",
            "round(ban.Time * 1.5 ** ban.Count)",
            "round(ban.Time / 7, 2)",
            "ban.Time // 7 + ban.Time % 7 - -ban.Count",
            "-ban.Count // 4 + -ban.Count % 4 + 7 % -3",
            "-2 ** 2 + 2 ** -1 + (-2) ** 3",
            "ban.Time if ban.Count < 3 else ban.Time * 10",
            "ban.Time * (ban.Count > 2 and 3 or 1)",
            "ban.Time * (not ban.Count) + (1 < ban.Count <= 5) * 100",
            "abs(-ban.Time) + pow(2, ban.Count) + math.floor(2.7) + math.ceil(2.1) + math.trunc(-2.7)",
            "ban.Time * math.pow(2, ban.Count) / 1e3 + 1_000",
            "(ban.Count | 8) + (ban.Count & 3) + (ban.Count ^ 5) + (~ban.Count) + (1024 >> ban.Count)",
            "math.log(ban.Time, 2) + math.log10(ban.Time) + math.log2(2 ** ban.Count) + math.fabs(-1.5)",
            "max(1, 2.0, 2) + min(3, 3.0) + float(ban.Count) / 3 + int(-7.9) + int()",
            "ban.Time * 2 ** 70",
            "ban.Time * banFactor * math.e + math.pi",
            "True + True * ban.Count - False",
            "0x10 + 0o10 + 0b10 + .5 + 5. + 1E2");

    @Test
    void evaluatesAsPythonDoes(@TempDir Path dir) throws Exception {
        int[] counts = {1, 2, 5, 19, 25};
        Object[][] factors = {{"1", 1L}, {"2.0 / 2.885385", null}};
        StringBuilder script = new StringBuilder("import math\nclass B:\n    pass\nban = B()\n");
        List<Number> ours = new ArrayList<>();
        for (String f : FORMULAS) {
            BanTimeFormula formula = BanTimeFormula.formula("bantime.formula", f);
            for (int count : counts) {
                for (Object[] factor : factors) {
                    Number banFactor = BanTimeFormula.constant("bantime.factor", (String) factor[0]).evaluate();
                    script.append("ban.Time = 600\nban.Count = ").append(count)
                            .append("\nbanFactor = eval(").append(pyString((String) factor[0])).append(")\n")
                            .append("print(repr(eval(").append(pyString(f)).append(")))\n");
                    ours.add(formula.evaluate(BigInteger.valueOf(600), count, banFactor));
                }
            }
        }
        Path py = Files.writeString(dir.resolve("eval.py"), script);
        Proc.Result r = Proc.run(List.of(Oracle.python(), py.toString()), dir, Map.of(), null, 60).assertOk();
        List<String> theirs = List.of(r.out().strip().split("\n"));
        assertEquals(theirs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            String f = FORMULAS.get(i / (counts.length * factors.length));
            assertSame(theirs.get(i), ours.get(i), f + " (case " + i + ")");
        }
    }

    /** Python's repr of a value equals ours: an int the same BigInteger, a float the same double. */
    static void assertSame(String python, Number ours, String what) {
        if (python.matches("-?[0-9]+")) {
            assertEquals(new BigInteger(python), ours, what);
        } else {
            double expected = Double.parseDouble(python.replace("inf", "Infinity"));
            assertEquals(Double.class, ours.getClass(), what + ": a float");
            assertEquals(expected, ours.doubleValue(), 0.0, what + ": " + python);
        }
    }

    static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void theFactorOfTheStockJailConfIsAConstantExpression() {
        assertEquals(2.0 / 2.885385, BanTimeFormula.constant("bantime.factor", "2.0 / 2.885385").evaluate());
        assertEquals(BigInteger.ONE, BanTimeFormula.constant("bantime.factor", "1").evaluate());
        assertEquals(Math.E, BanTimeFormula.constant("bantime.factor", "math.exp(1)").evaluate());
    }

    static String refusal(String text) {
        return assertThrows(BanTimeFormula.FormulaException.class, () -> BanTimeFormula.formula("bantime.formula", text))
                .getMessage();
    }

    @Test
    void anythingElseIsRefusedWithThePosition() {
        String[][] cases = {
            {"ban.Time * x", "unknown name 'x' at position 12"},
            {"__import__('os').system('id')", "unexpected character ''' at position 12"},
            {"__import__(1)", "unknown function '__import__' at position 1"},
            {"open(1)", "unknown function 'open' at position 1"},
            {"ban.Time.__class__", "unexpected '.' at position 9"},
            {"ban.__dict__", "unknown name 'ban.__dict__' at position 1"},
            {"math.system(1)", "unknown function 'math.system' at position 1"},
            {"ban", "unknown name 'ban' at position 1"},
            {"ban.Time *", "the expression ends too early at position 11"},
            {"(ban.Time", "')' expected but the expression ends at position 10"},
            {"ban.Time)", "unexpected ')' at position 9"},
            {"ban.Time if ban.Count", "'else' expected but the expression ends at position 22"},
            {"min(ban.Time)", "min() takes at least 2 arguments (1 given) at position 4"},
            {"[ban.Time]", "unexpected character '[' at position 1"},
            {"lambda: 1", "unexpected character ':' at position 7"},
            {"", "empty expression at position 1"},
            {"010", "leading zeros in a decimal number are not permitted at position 1"},
        };
        for (String[] c : cases) {
            assertEquals("bantime.formula \"" + c[0] + "\": " + c[1], refusal(c[0]));
        }
    }

    @Test
    void evaluationErrorsNameTheFormula() {
        BanTimeFormula f = BanTimeFormula.formula("bantime.formula", "ban.Time * math.log(ban.Count - 1)");
        BanTimeFormula.FormulaException e = assertThrows(BanTimeFormula.FormulaException.class,
                () -> f.evaluate(600, 1, 1));
        assertEquals("bantime.formula \"ban.Time * math.log(ban.Count - 1)\": math domain error", e.getMessage());
        BanTimeFormula g = BanTimeFormula.formula("bantime.formula", "math.exp(ban.Count * 1000)");
        assertEquals("bantime.formula \"math.exp(ban.Count * 1000)\": math range error",
                assertThrows(BanTimeFormula.FormulaException.class, () -> g.evaluate(600, 1, 1)).getMessage());
        BanTimeFormula h = BanTimeFormula.formula("bantime.formula", "ban.Time << 1.5");
        assertEquals("bantime.formula \"ban.Time << 1.5\": unsupported operand type(s) for <<: 'float'",
                assertThrows(BanTimeFormula.FormulaException.class, () -> h.evaluate(600, 1, 1)).getMessage());
        BanTimeFormula huge = BanTimeFormula.formula("bantime.formula", "2 ** 2 ** 30");
        assertEquals("bantime.formula \"2 ** 2 ** 30\": integer result too large",
                assertThrows(BanTimeFormula.FormulaException.class, () -> huge.evaluate(600, 1, 1)).getMessage());
        assertEquals(BigInteger.valueOf(7), BanTimeFormula.formula("bantime.formula", "banCount").evaluate(600, 7, 1),
                "banCount: a name for ban.Count");
    }
}
