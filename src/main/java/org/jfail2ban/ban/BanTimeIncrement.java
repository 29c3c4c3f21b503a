package org.jfail2ban.ban;

import java.lang.System.Logger.Level;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.jfail2ban.config.TimeSpan;
import org.jfail2ban.store.BanHistory;

/**
 * A jail's {@code bantime.*} settings and the ban time they give a repeat offender, computed as
 * fail2ban computes it: with the id's ban count {@code n} from the store (n > 0), the new ban
 * time is
 * <ul>
 * <li>with {@code bantime.multipliers}: {@code bantime * factor * multipliers[min(n, last)]}
 * (the first multiplier is never reached: a known id has n >= 1);</li>
 * <li>else {@code max(bantime, formula)}, the formula by default
 * {@code ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor};</li>
 * </ul>
 * then at most {@code bantime.maxtime}, then plus {@code random * bantime.rndtime}.
 *
 * <p>Immutable: each {@link #with} gives a new value, so a jail swaps its settings at once.
 */
public final class BanTimeIncrement {

    private static final System.Logger LOG = System.getLogger("org.jfail2ban.ban");

    /** The option names after {@code bantime.}. */
    public static final List<String> OPTIONS =
            List.of("increment", "factor", "formula", "multipliers", "maxtime", "rndtime", "overalljails");

    /** fail2ban's formula when none is set. */
    public static final String DEFAULT_FORMULA = "ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor";

    /** Nothing set: increment off. */
    public static final BanTimeIncrement NONE = new BanTimeIncrement(null, null, null, null, null, null, null);

    private static final BanTimeFormula DEFAULT = BanTimeFormula.formula("bantime.formula", DEFAULT_FORMULA);

    /** The outcome for one new ban: its length and the ban count to store with it. */
    public record NewBan(long banTime, int banCount) {
    }

    private final Boolean increment;
    private final String factor;
    private final String formula;
    private final String multipliers;
    private final Number maxTime;
    private final Number rndTime;
    private final Boolean overallJails;
    // derived, checked when set
    private final Number banFactor;
    private final BanTimeFormula expression;
    private final List<BigInteger> multiplierList;

    private BanTimeIncrement(Boolean increment, String factor, String formula, String multipliers, Number maxTime,
                             Number rndTime, Boolean overallJails) {
        this.increment = increment;
        this.factor = factor;
        this.formula = formula;
        this.multipliers = multipliers;
        this.maxTime = maxTime;
        this.rndTime = rndTime;
        this.overallJails = overallJails;
        this.banFactor = factor == null ? BigInteger.ONE : BanTimeFormula.constant("bantime.factor", factor).evaluate();
        this.expression = formula == null ? DEFAULT : BanTimeFormula.formula("bantime.formula", formula);
        this.multiplierList = parseMultipliers(multipliers);
    }

    /**
     * These settings with one option set, as {@code set <jail> bantime.<option> <value>} sets it.
     * A null or empty value removes the option (back to its default).
     *
     * @param option {@code increment}, {@code factor}, ... with or without the {@code bantime.} prefix
     * @throws IllegalArgumentException naming the option, the value and what is wrong with it
     */
    public BanTimeIncrement with(String option, String value) {
        String opt = option.toLowerCase(Locale.ROOT);
        opt = opt.startsWith("bantime.") ? opt.substring("bantime.".length()) : opt;
        String v = value == null || value.isEmpty() ? null : value;
        switch (opt) {
            case "increment":
                return new BanTimeIncrement(bool(v), factor, formula, multipliers, maxTime, rndTime, overallJails);
            case "factor":
                return new BanTimeIncrement(increment, v, formula, multipliers, maxTime, rndTime, overallJails);
            case "formula":
                return new BanTimeIncrement(increment, factor, v, multipliers, maxTime, rndTime, overallJails);
            case "multipliers":
                return new BanTimeIncrement(increment, factor, formula, v, maxTime, rndTime, overallJails);
            case "maxtime":
                return new BanTimeIncrement(increment, factor, formula, multipliers, span("maxtime", v), rndTime, overallJails);
            case "rndtime":
                return new BanTimeIncrement(increment, factor, formula, multipliers, maxTime, span("rndtime", v), overallJails);
            case "overalljails":
                return new BanTimeIncrement(increment, factor, formula, multipliers, maxTime, rndTime, v == null ? null : bool(v));
            default:
                throw new IllegalArgumentException("unknown option bantime." + opt + " (known: bantime."
                        + String.join(", bantime.", OPTIONS) + ")");
        }
    }

    /**
     * The value {@code get <jail> bantime.<option>} answers: Boolean for increment and
     * overalljails, seconds (Long or Double) for maxtime and rndtime, the text as set for the
     * others; null when not set ({@code increment} answers false once it was set and removed).
     */
    public Object get(String option) {
        String opt = option.toLowerCase(Locale.ROOT);
        opt = opt.startsWith("bantime.") ? opt.substring("bantime.".length()) : opt;
        switch (opt) {
            case "increment": return increment;
            case "factor": return factor;
            case "formula": return formula;
            case "multipliers": return multipliers;
            case "maxtime": return maxTime;
            case "rndtime": return rndTime;
            case "overalljails": return overallJails;
            default: throw new IllegalArgumentException("unknown option bantime." + opt);
        }
    }

    /** {@code bantime.increment}. */
    public boolean enabled() {
        return increment != null && increment;
    }

    /** {@code bantime.overalljails}: count bans in every jail, not only this one. */
    public boolean overallJails() {
        return overallJails != null && overallJails;
    }

    /**
     * The longest ban this jail gives (fail2ban's {@code getMaxBanTime}): {@code bantime.maxtime}
     * (-1 when unset: no limit) with increment on, else the jail's {@code bantime}. Restored bans
     * longer than this are cut to it.
     */
    public long maxBanTime(long banTime) {
        if (!enabled()) {
            return banTime;
        }
        return maxTime == null ? -1 : (long) maxTime.doubleValue();
    }

    /**
     * The ban time for an id banned {@code banCount} times before (fail2ban's {@code calcBanTime}),
     * in seconds, fractions kept as fail2ban keeps them.
     *
     * @throws BanTimeFormula.FormulaException when the formula fails on these values
     */
    public double calcBanTime(double banTime, int banCount, RandomGenerator random) {
        Number time = banTime == Math.rint(banTime) && Math.abs(banTime) < 1e15
                ? (Number) BigInteger.valueOf((long) banTime) : (Number) banTime;
        double t;
        if (!multiplierList.isEmpty()) {
            BigInteger m = multiplierList.get(banCount < multiplierList.size() ? banCount : multiplierList.size() - 1);
            t = toDouble(times(times(time, banFactor), m));
        } else {
            Number r = expression.evaluate(time, banCount, banFactor);
            t = Math.max(banTime, toDouble(r));
        }
        if (maxTime != null) {
            t = Math.min(t, maxTime.doubleValue());
        }
        if (rndTime != null) {
            t += random.nextDouble() * rndTime.doubleValue();
        }
        return t;
    }

    /**
     * The ban time and ban count of a new ban of an id, as fail2ban's observer sets them: with
     * increment on, a positive {@code banTime} and a history, the count becomes the history's
     * count + 1 and the time {@link #calcBanTime}; otherwise the jail's ban time and count 1.
     * A formula that fails on these values is logged and the jail's ban time used, as fail2ban
     * does.
     *
     * @param history the id's record from the store ({@code Database.banHistory(id, jail,
     *                overallJails())}), or null when it has none
     */
    public NewBan newBan(long banTime, BanHistory history, RandomGenerator random) {
        if (!enabled() || banTime <= 0 || history == null) {
            return new NewBan(banTime, 1);
        }
        int count = history.banCount() >= 1 ? history.banCount() + 1 : 1;
        if (history.banCount() <= 0) {
            return new NewBan(banTime, count);
        }
        try {
            return new NewBan((long) calcBanTime(banTime, history.banCount(), random), count);
        } catch (BanTimeFormula.FormulaException e) {
            LOG.log(Level.ERROR, e.getMessage() + "; banning for bantime " + banTime + " s");
            return new NewBan(banTime, count);
        }
    }

    /**
     * How much one failure of an id banned {@code banCount} times before counts toward
     * {@code maxretry} with increment on (fail2ban's observer: 2, 3, 5, 9, 17 ... for 1, 2, 3, 4,
     * 5 bans, never more than {@code maxRetry}); 1 for an id never banned.
     */
    public static int failureWeight(int banCount, int maxRetry) {
        if (banCount <= 0) {
            return 1;
        }
        long w = (1L << Math.min(banCount, 20)) / 2 + 1;
        return (int) Math.min(w, Math.max(maxRetry, 1));
    }

    private static Number times(Number a, Number b) {
        if (a instanceof BigInteger && b instanceof BigInteger) {
            return ((BigInteger) a).multiply((BigInteger) b);
        }
        return toDouble(a) * toDouble(b);
    }

    private static double toDouble(Number n) {
        return n.doubleValue();
    }

    private static Boolean bool(String v) {
        if (v == null) {
            return false;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "1": case "on": case "true": case "yes":
                return true;
            case "0": case "off": case "false": case "no":
                return false;
            default:
                throw new IllegalArgumentException("not a boolean: '" + v + "' (true, false, yes, no, on, off, 1, 0)");
        }
    }

    private static Number span(String option, String v) {
        if (v == null) {
            return null;
        }
        double s;
        try {
            s = TimeSpan.seconds(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bantime." + option + ": " + e.getMessage(), e);
        }
        return s == Math.rint(s) && Math.abs(s) < 1e15 ? (Number) (long) s : (Number) s;
    }

    private static List<BigInteger> parseMultipliers(String text) {
        if (text == null) {
            return List.of();
        }
        List<BigInteger> out = new ArrayList<>();
        for (String part : text.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                out.add(new BigInteger(part));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bantime.multipliers \"" + text + "\": '" + part
                        + "' is not a whole number");
            }
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public String toString() {
        return "bantime.increment=" + increment + " factor=" + factor + " formula=" + formula + " multipliers="
                + multipliers + " maxtime=" + maxTime + " rndtime=" + rndTime + " overalljails=" + overallJails;
    }
}
