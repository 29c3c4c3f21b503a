package org.jfail2ban.ban;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Python expressions of {@code bantime.formula} and {@code bantime.factor}, evaluated without
 * Python and without any way out: only numbers, the names {@code ban.Time}, {@code ban.Count},
 * {@code banCount} and {@code banFactor}, Python's arithmetic, comparison, boolean and
 * conditional operators, and a fixed set of functions ({@code min}, {@code max}, {@code abs},
 * {@code int}, {@code float}, {@code round}, {@code pow} and {@code math.exp}, {@code math.log},
 * {@code math.sqrt} ...). Numbers follow Python: integers are exact and unbounded, {@code /}
 * gives a float, {@code //} and {@code %} round toward minus infinity, {@code 1 << n} needs
 * integers.
 *
 * <p>Anything else is refused when the option is set, with the option, the text and the
 * position: {@code bantime.formula "ban.Time * x": unknown name 'x' at position 12}.
 */
public final class BanTimeFormula {

    /** An expression that cannot be parsed or evaluated; the message names option, text and position. */
    public static final class FormulaException extends IllegalArgumentException {
        FormulaException(String message) {
            super(message);
        }
    }

    /** The values an expression may read. */
    private enum Var { TIME, COUNT, FACTOR }

    private static final int MAX_BITS = 1 << 16;

    private final String option;
    private final String text;
    private final Node root;

    private BanTimeFormula(String option, String text, Node root) {
        this.option = option;
        this.text = text;
        this.root = root;
    }

    /**
     * Parses the expression of a ban-time formula: it may use {@code ban.Time}, {@code ban.Count},
     * {@code banCount} and {@code banFactor}.
     *
     * @param option the option it comes from, for messages ({@code bantime.formula})
     */
    public static BanTimeFormula formula(String option, String text) {
        return new BanTimeFormula(option, text, new Parser(option, text, true).parseAll());
    }

    /** Parses a constant expression (no names but {@code math}'s), such as {@code bantime.factor}. */
    public static BanTimeFormula constant(String option, String text) {
        return new BanTimeFormula(option, text, new Parser(option, text, false).parseAll());
    }

    public String text() {
        return text;
    }

    /**
     * Evaluates the expression.
     *
     * @return a {@link BigInteger} (Python int) or a {@link Double} (Python float)
     * @throws FormulaException on an error Python would raise (division by zero, math domain)
     */
    public Number evaluate(Number banTime, long banCount, Number banFactor) {
        Object[] vars = {num(banTime), BigInteger.valueOf(banCount), num(banFactor)};
        try {
            return number(root.eval(vars));
        } catch (EvalError e) {
            throw new FormulaException(option + " \"" + text + "\": " + e.getMessage());
        }
    }

    /** Evaluates a constant expression; see {@link #constant}. */
    public Number evaluate() {
        return evaluate(BigInteger.ZERO, 0, BigInteger.ONE);
    }

    @Override
    public String toString() {
        return text;
    }

    // ---- values: BigInteger (int), Double (float), Boolean (bool, an int in arithmetic)

    private static Object num(Number n) {
        if (n instanceof BigInteger || n instanceof Double) {
            return n;
        }
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return BigInteger.valueOf(n.longValue());
        }
        return n.doubleValue();
    }

    private static Number number(Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v ? BigInteger.ONE : BigInteger.ZERO;
        }
        return (Number) v;
    }

    /** An error while evaluating; becomes a FormulaException naming the formula. */
    private static final class EvalError extends RuntimeException {
        EvalError(String message) {
            super(message, null, false, false);
        }
    }

    private static boolean isInt(Object v) {
        return v instanceof BigInteger || v instanceof Boolean;
    }

    private static BigInteger big(Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v ? BigInteger.ONE : BigInteger.ZERO;
        }
        return (BigInteger) v;
    }

    private static double dbl(Object v) {
        if (v instanceof Double) {
            return (Double) v;
        }
        BigInteger b = big(v);
        if (b.bitLength() > 1023) {
            throw new EvalError("int too large to convert to float");
        }
        return b.doubleValue();
    }

    private static boolean truthy(Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Double) {
            return (Double) v != 0.0;
        }
        return ((BigInteger) v).signum() != 0;
    }

    private static BigInteger checked(BigInteger b) {
        if (b.bitLength() > MAX_BITS) {
            throw new EvalError("integer result too large");
        }
        return b;
    }

    /** -1, 0 or 1 as Python orders the two numbers; 2 when unordered (a NaN is involved). */
    private static int compare(Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            return big(a).compareTo(big(b));
        }
        double x = isInt(a) ? 0 : (Double) a;
        double y = isInt(b) ? 0 : (Double) b;
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return 2;
        }
        boolean infA = Double.isInfinite(x);
        boolean infB = Double.isInfinite(y);
        if (infA || infB) {
            if (infA && infB) {
                return Double.compare(x, y);
            }
            return infA ? (x > 0 ? 1 : -1) : (y > 0 ? -1 : 1);
        }
        BigDecimal p = isInt(a) ? new BigDecimal(big(a)) : new BigDecimal(x);
        BigDecimal q = isInt(b) ? new BigDecimal(big(b)) : new BigDecimal(y);
        return p.compareTo(q);
    }

    private static Object binary(String op, Object a, Object b) {
        switch (op) {
            case "+":
                return isInt(a) && isInt(b) ? checked(big(a).add(big(b))) : (Object) (dbl(a) + dbl(b));
            case "-":
                return isInt(a) && isInt(b) ? checked(big(a).subtract(big(b))) : (Object) (dbl(a) - dbl(b));
            case "*":
                return isInt(a) && isInt(b) ? checked(big(a).multiply(big(b))) : (Object) (dbl(a) * dbl(b));
            case "/": {
                if (isInt(a) && isInt(b)) {
                    if (big(b).signum() == 0) {
                        throw new EvalError("division by zero");
                    }
                    if (big(a).bitLength() <= 53 && big(b).bitLength() <= 53) {
                        // both exact as doubles: IEEE division rounds correctly, as Python's does
                        return big(a).doubleValue() / big(b).doubleValue();
                    }
                    return new BigDecimal(big(a)).divide(new BigDecimal(big(b)), new java.math.MathContext(40)).doubleValue();
                }
                double y = dbl(b);
                if (y == 0.0) {
                    throw new EvalError("float division by zero");
                }
                return dbl(a) / y;
            }
            case "//": {
                if (isInt(a) && isInt(b)) {
                    if (big(b).signum() == 0) {
                        throw new EvalError("integer division or modulo by zero");
                    }
                    BigInteger[] qr = big(a).divideAndRemainder(big(b));
                    return qr[1].signum() != 0 && qr[1].signum() != big(b).signum() ? qr[0].subtract(BigInteger.ONE) : qr[0];
                }
                double y = dbl(b);
                if (y == 0.0) {
                    throw new EvalError("float floor division by zero");
                }
                return Math.floor(dbl(a) / y);
            }
            case "%": {
                if (isInt(a) && isInt(b)) {
                    if (big(b).signum() == 0) {
                        throw new EvalError("integer division or modulo by zero");
                    }
                    BigInteger r = big(a).mod(big(b).abs());
                    return big(b).signum() < 0 && r.signum() != 0 ? r.add(big(b)) : r;
                }
                double x = dbl(a);
                double y = dbl(b);
                if (y == 0.0) {
                    throw new EvalError("float modulo");
                }
                double r = x % y;
                return r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
            case "**":
                return power(a, b);
            case "<<":
            case ">>": {
                if (!isInt(a) || !isInt(b)) {
                    throw new EvalError("unsupported operand type(s) for " + op + ": 'float'");
                }
                BigInteger n = big(b);
                if (n.signum() < 0) {
                    throw new EvalError("negative shift count");
                }
                if (op.equals(">>")) {
                    return n.bitLength() > 31 ? BigInteger.valueOf(big(a).signum() < 0 ? -1 : 0) : big(a).shiftRight(n.intValue());
                }
                if (n.bitLength() > 31 || n.intValue() + big(a).bitLength() > MAX_BITS) {
                    throw new EvalError("integer result too large");
                }
                return big(a).shiftLeft(n.intValue());
            }
            case "&":
            case "|":
            case "^": {
                if (!isInt(a) || !isInt(b)) {
                    throw new EvalError("unsupported operand type(s) for " + op + ": 'float'");
                }
                if (a instanceof Boolean && b instanceof Boolean) {
                    boolean x = (Boolean) a;
                    boolean y = (Boolean) b;
                    return op.equals("&") ? x & y : op.equals("|") ? x | y : x ^ y;
                }
                return op.equals("&") ? big(a).and(big(b)) : op.equals("|") ? big(a).or(big(b)) : big(a).xor(big(b));
            }
            default:
                throw new IllegalStateException(op);
        }
    }

    private static Object power(Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            BigInteger base = big(a);
            BigInteger exp = big(b);
            if (exp.signum() >= 0) {
                if (base.abs().compareTo(BigInteger.ONE) <= 0) {
                    return base.signum() == 0 ? (exp.signum() == 0 ? BigInteger.ONE : BigInteger.ZERO)
                            : base.equals(BigInteger.ONE) || !exp.testBit(0) ? BigInteger.ONE : BigInteger.ONE.negate();
                }
                if (exp.bitLength() > 31 || (long) exp.intValue() * base.bitLength() > MAX_BITS) {
                    throw new EvalError("integer result too large");
                }
                return base.pow(exp.intValue());
            }
            if (base.signum() == 0) {
                throw new EvalError("0.0 cannot be raised to a negative power");
            }
        }
        double x = dbl(a);
        double y = dbl(b);
        if (x == 0.0 && y < 0) {
            throw new EvalError("0.0 cannot be raised to a negative power");
        }
        if (x < 0 && y != Math.rint(y)) {
            throw new EvalError("a negative number cannot be raised to a fractional power");
        }
        double r = Math.pow(x, y);
        if (Double.isInfinite(r) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
            throw new EvalError("(34, 'Numerical result out of range')");
        }
        return r;
    }

    // ---- functions

    private interface Fn {
        Object call(List<Object> args);
    }

    private record Function(String name, int minArgs, int maxArgs, Fn fn) {
    }

    private static final Map<String, Function> FUNCTIONS = Map.ofEntries(
            fn("min", 2, Integer.MAX_VALUE, args -> extreme(args, -1)),
            fn("max", 2, Integer.MAX_VALUE, args -> extreme(args, 1)),
            fn("abs", 1, 1, args -> isInt(args.get(0)) ? big(args.get(0)).abs() : (Object) Math.abs(dbl(args.get(0)))),
            fn("float", 0, 1, args -> args.isEmpty() ? 0.0 : dbl(args.get(0))),
            fn("int", 0, 1, args -> args.isEmpty() ? BigInteger.ZERO : toInt(args.get(0))),
            fn("round", 1, 2, BanTimeFormula::round),
            fn("pow", 2, 2, args -> power(args.get(0), args.get(1))),
            fn("math.exp", 1, 1, args -> mathResult(Math.exp(dbl(args.get(0))), args)),
            fn("math.log", 1, 2, BanTimeFormula::log),
            fn("math.log2", 1, 1, args -> log2(positive(args.get(0)))),
            fn("math.log10", 1, 1, args -> Math.log10(positive(args.get(0)))),
            fn("math.sqrt", 1, 1, args -> {
                double x = dbl(args.get(0));
                if (x < 0) {
                    throw new EvalError("math domain error");
                }
                return Math.sqrt(x);
            }),
            fn("math.pow", 2, 2, args -> {
                Object r = power(dbl(args.get(0)), dbl(args.get(1)));
                return r;
            }),
            fn("math.floor", 1, 1, args -> isInt(args.get(0)) ? big(args.get(0)) : toInt(Math.floor(dbl(args.get(0))))),
            fn("math.ceil", 1, 1, args -> isInt(args.get(0)) ? big(args.get(0)) : toInt(Math.ceil(dbl(args.get(0))))),
            fn("math.trunc", 1, 1, args -> toInt(args.get(0))),
            fn("math.fabs", 1, 1, args -> Math.abs(dbl(args.get(0)))));

    private static final Map<String, Double> CONSTANTS = Map.of(
            "math.e", Math.E, "math.pi", Math.PI, "math.tau", 2 * Math.PI, "math.inf", Double.POSITIVE_INFINITY);

    private static Map.Entry<String, Function> fn(String name, int min, int max, Fn f) {
        return Map.entry(name, new Function(name, min, max, f));
    }

    private static Object extreme(List<Object> args, int sign) {
        Object best = args.get(0);
        for (Object a : args.subList(1, args.size())) {
            int c = compare(a, best);
            if (c != 2 && c * sign > 0) {
                best = a;
            }
        }
        return best;
    }

    private static BigInteger toInt(Object v) {
        if (isInt(v)) {
            return big(v);
        }
        double d = (Double) v;
        if (Double.isNaN(d)) {
            throw new EvalError("cannot convert float NaN to integer");
        }
        if (Double.isInfinite(d)) {
            throw new EvalError("cannot convert float infinity to integer");
        }
        return new BigDecimal(d).setScale(0, RoundingMode.DOWN).toBigIntegerExact();
    }

    private static Object round(List<Object> args) {
        Object x = args.get(0);
        if (args.size() == 1) {
            return isInt(x) ? big(x) : toInt(Math.rint(dbl(x)));
        }
        int digits = big(args.get(1)).intValueExact();
        if (isInt(x)) {
            return new BigDecimal(big(x)).setScale(Math.min(digits, 0), RoundingMode.HALF_EVEN).toBigInteger();
        }
        double d = dbl(x);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return d;
        }
        return new BigDecimal(d).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static double positive(Object v) {
        double x = dbl(v);
        if (x <= 0) {
            throw new EvalError("math domain error");
        }
        return x;
    }

    private static Object log(List<Object> args) {
        double r = Math.log(positive(args.get(0)));
        if (args.size() == 2) {
            double base = Math.log(positive(args.get(1)));
            if (base == 0.0) {
                throw new EvalError("float division by zero");
            }
            r /= base;
        }
        return r;
    }

    /** log2 as C's: exact for powers of two, the exponent kept apart from the rounding. */
    private static double log2(double x) {
        int e = Math.getExponent(x);
        if (e < Double.MIN_EXPONENT) {
            return Math.log(x) / Math.log(2);
        }
        double m = Math.scalb(x, -e);
        return m == 1.0 ? e : e + Math.log(m) / Math.log(2);
    }

    private static Object mathResult(double r, List<Object> args) {
        if (Double.isInfinite(r) && !Double.isInfinite(dbl(args.get(0)))) {
            throw new EvalError("math range error");
        }
        return r;
    }

    // ---- syntax tree

    private interface Node {
        Object eval(Object[] vars);
    }

    private record Const(Object value) implements Node {
        public Object eval(Object[] vars) {
            return value;
        }
    }

    private record Variable(Var var) implements Node {
        public Object eval(Object[] vars) {
            return vars[var.ordinal()];
        }
    }

    private record Unary(String op, Node operand) implements Node {
        public Object eval(Object[] vars) {
            Object v = operand.eval(vars);
            switch (op) {
                case "not":
                    return !truthy(v);
                case "-":
                    return isInt(v) ? big(v).negate() : (Object) (-(Double) v);
                case "+":
                    return isInt(v) ? big(v) : v;
                default: // "~"
                    if (!isInt(v)) {
                        throw new EvalError("bad operand type for unary ~: 'float'");
                    }
                    return big(v).not();
            }
        }
    }

    private record Binary(String op, Node left, Node right) implements Node {
        public Object eval(Object[] vars) {
            return binary(op, left.eval(vars), right.eval(vars));
        }
    }

    private record Logic(boolean and, Node left, Node right) implements Node {
        public Object eval(Object[] vars) {
            Object l = left.eval(vars);
            return truthy(l) == and ? right.eval(vars) : l;
        }
    }

    private record Compare(List<Node> operands, List<String> ops) implements Node {
        public Object eval(Object[] vars) {
            Object l = operands.get(0).eval(vars);
            for (int i = 0; i < ops.size(); i++) {
                Object r = operands.get(i + 1).eval(vars);
                int c = compare(l, r);
                boolean ok;
                switch (ops.get(i)) {
                    case "<": ok = c < 0; break;
                    case "<=": ok = c <= 0; break;
                    case ">": ok = c > 0 && c != 2; break;
                    case ">=": ok = c >= 0 && c != 2; break;
                    case "==": ok = c == 0; break;
                    default: ok = c != 0; break; // "!="
                }
                if (!ok) {
                    return false;
                }
                l = r;
            }
            return true;
        }
    }

    private record IfElse(Node condition, Node then, Node otherwise) implements Node {
        public Object eval(Object[] vars) {
            return truthy(condition.eval(vars)) ? then.eval(vars) : otherwise.eval(vars);
        }
    }

    private record Call(Function fn, List<Node> args) implements Node {
        public Object eval(Object[] vars) {
            List<Object> values = new ArrayList<>(args.size());
            for (Node a : args) {
                values.add(a.eval(vars));
            }
            return fn.fn().call(values);
        }
    }

    // ---- parser: Python's grammar for expressions, the part above

    private static final class Parser {
        private final String option;
        private final String text;
        private final boolean banVariables;
        private final List<Token> tokens;
        private int at;

        private record Token(String kind, String text, int pos) {
        }

        Parser(String option, String text, boolean banVariables) {
            this.option = option;
            this.text = text;
            this.banVariables = banVariables;
            this.tokens = tokenize();
        }

        private FormulaException error(String message, int pos) {
            return new FormulaException(option + " \"" + text + "\": " + message + " at position " + (pos + 1));
        }

        private List<Token> tokenize() {
            List<Token> out = new ArrayList<>();
            int i = 0;
            int n = text.length();
            while (i < n) {
                char c = text.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    i++;
                    continue;
                }
                int start = i;
                if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                    i = number(i);
                    out.add(new Token("num", text.substring(start, i).replace("_", ""), start));
                    continue;
                }
                if (Character.isLetter(c) || c == '_') {
                    while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                        i++;
                    }
                    out.add(new Token("name", text.substring(start, i), start));
                    continue;
                }
                String two = i + 1 < n ? text.substring(i, i + 2) : "";
                if (List.of("**", "//", "<<", ">>", "<=", ">=", "==", "!=").contains(two)) {
                    out.add(new Token("op", two, start));
                    i += 2;
                    continue;
                }
                if ("+-*/%()<>,.&|^~".indexOf(c) >= 0) {
                    out.add(new Token("op", String.valueOf(c), start));
                    i++;
                    continue;
                }
                throw error("unexpected character '" + c + "'", i);
            }
            out.add(new Token("end", "", n));
            return out;
        }

        private int number(int i) {
            int n = text.length();
            if (text.charAt(i) == '0' && i + 1 < n && "xXoObB".indexOf(text.charAt(i + 1)) >= 0) {
                i += 2;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                return i;
            }
            while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                i++;
                while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
            }
            if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                int j = i + 1;
                if (j < n && (text.charAt(j) == '+' || text.charAt(j) == '-')) {
                    j++;
                }
                if (j < n && Character.isDigit(text.charAt(j))) {
                    i = j;
                    while (i < n && Character.isDigit(text.charAt(i))) {
                        i++;
                    }
                }
            }
            return i;
        }

        private Token peek() {
            return tokens.get(at);
        }

        private boolean is(String s) {
            Token t = peek();
            return (t.kind.equals("op") || t.kind.equals("name")) && t.text.equals(s);
        }

        private Token next() {
            return tokens.get(at++);
        }

        private void expect(String s) {
            if (!is(s)) {
                throw error(peek().kind.equals("end") ? "'" + s + "' expected but the expression ends"
                        : "'" + s + "' expected instead of '" + peek().text + "'", peek().pos);
            }
            at++;
        }

        Node parseAll() {
            if (peek().kind.equals("end")) {
                throw error("empty expression", 0);
            }
            Node n = ternary();
            if (!peek().kind.equals("end")) {
                throw error("unexpected '" + peek().text + "'", peek().pos);
            }
            return n;
        }

        private Node ternary() {
            Node then = orTest();
            if (is("if")) {
                next();
                Node cond = orTest();
                expect("else");
                Node otherwise = ternary();
                return new IfElse(cond, then, otherwise);
            }
            return then;
        }

        private Node orTest() {
            Node n = andTest();
            while (is("or")) {
                next();
                n = new Logic(false, n, andTest());
            }
            return n;
        }

        private Node andTest() {
            Node n = notTest();
            while (is("and")) {
                next();
                n = new Logic(true, n, notTest());
            }
            return n;
        }

        private Node notTest() {
            if (is("not")) {
                next();
                return new Unary("not", notTest());
            }
            return comparison();
        }

        private Node comparison() {
            Node first = bitOr();
            List<Node> operands = new ArrayList<>(List.of(first));
            List<String> ops = new ArrayList<>();
            while (peek().kind.equals("op") && List.of("<", ">", "<=", ">=", "==", "!=").contains(peek().text)) {
                ops.add(next().text);
                operands.add(bitOr());
            }
            return ops.isEmpty() ? first : new Compare(operands, ops);
        }

        /** One level of left-associative binary operators, over the next higher level. */
        private Node leftAssoc(java.util.function.Supplier<Node> higher, String... ops) {
            Node n = higher.get();
            while (peek().kind.equals("op") && List.of(ops).contains(peek().text)) {
                String op = next().text;
                n = new Binary(op, n, higher.get());
            }
            return n;
        }

        private Node bitOr() {
            return leftAssoc(this::bitXor, "|");
        }

        private Node bitXor() {
            return leftAssoc(this::bitAnd, "^");
        }

        private Node bitAnd() {
            return leftAssoc(this::shift, "&");
        }

        private Node shift() {
            return leftAssoc(this::arith, "<<", ">>");
        }

        private Node arith() {
            return leftAssoc(this::term, "+", "-");
        }

        private Node term() {
            return leftAssoc(this::factor, "*", "/", "//", "%");
        }

        private Node factor() {
            if (is("-") || is("+") || is("~")) {
                String op = next().text;
                return new Unary(op, factor());
            }
            return power();
        }

        private Node power() {
            Node base = primary();
            if (is("**")) {
                next();
                return new Binary("**", base, factor());
            }
            return base;
        }

        private Node primary() {
            Token t = next();
            switch (t.kind) {
                case "num":
                    return new Const(parseNumber(t));
                case "name":
                    return name(t);
                case "op":
                    if (t.text.equals("(")) {
                        Node n = ternary();
                        expect(")");
                        return n;
                    }
                    throw error("unexpected '" + t.text + "'", t.pos);
                default:
                    throw error("the expression ends too early", t.pos);
            }
        }

        private Object parseNumber(Token t) {
            String s = t.text.toLowerCase();
            try {
                if (s.startsWith("0x")) {
                    return new BigInteger(s.substring(2), 16);
                }
                if (s.startsWith("0o")) {
                    return new BigInteger(s.substring(2), 8);
                }
                if (s.startsWith("0b")) {
                    return new BigInteger(s.substring(2), 2);
                }
                if (s.indexOf('.') >= 0 || s.indexOf('e') >= 0) {
                    return Double.parseDouble(s);
                }
                if (s.length() > 1 && s.startsWith("0") && !s.chars().allMatch(ch -> ch == '0')) {
                    throw error("leading zeros in a decimal number are not permitted", t.pos);
                }
                return new BigInteger(s);
            } catch (NumberFormatException e) {
                throw error("invalid number '" + t.text + "'", t.pos);
            }
        }

        /** A name, a dotted name, or a call; resolved now, so nothing unknown is evaluated later. */
        private Node name(Token t) {
            String name = t.text;
            int pos = t.pos;
            if (is(".") && (name.equals("ban") || name.equals("math"))) {
                next();
                Token attr = next();
                if (!attr.kind.equals("name")) {
                    throw error("a name expected after '" + name + ".'", attr.pos);
                }
                name = name + "." + attr.text;
            }
            if (is("(")) {
                Token open = next();
                Function f = FUNCTIONS.get(name);
                if (f == null) {
                    throw error("unknown function '" + name + "'", pos);
                }
                List<Node> args = new ArrayList<>();
                if (!is(")")) {
                    args.add(ternary());
                    while (is(",")) {
                        next();
                        if (is(")")) {
                            break;
                        }
                        args.add(ternary());
                    }
                }
                expect(")");
                if (args.size() < f.minArgs() || args.size() > f.maxArgs()) {
                    throw error(name + "() takes " + (f.minArgs() == f.maxArgs() ? String.valueOf(f.minArgs())
                            : f.maxArgs() == Integer.MAX_VALUE ? "at least " + f.minArgs()
                            : f.minArgs() + " to " + f.maxArgs()) + " arguments (" + args.size() + " given)", open.pos);
                }
                return new Call(f, args);
            }
            switch (name) {
                case "True":
                    return new Const(Boolean.TRUE);
                case "False":
                    return new Const(Boolean.FALSE);
                default:
                    break;
            }
            if (CONSTANTS.containsKey(name)) {
                return new Const(CONSTANTS.get(name));
            }
            if (banVariables) {
                switch (name) {
                    case "ban.Time":
                        return new Variable(Var.TIME);
                    case "ban.Count":
                    case "banCount":
                        return new Variable(Var.COUNT);
                    case "banFactor":
                        return new Variable(Var.FACTOR);
                    default:
                        break;
                }
            }
            throw error("unknown name '" + name + "'", pos);
        }
    }
}
