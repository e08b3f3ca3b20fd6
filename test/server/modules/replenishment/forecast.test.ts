import { expect } from "chai";
import {
  backtest,
  demandOver,
  errorMeasures,
  fitHoltWinters,
  forecast,
  HOLDOUT_DAYS,
  HORIZON_DAYS,
  seasonalNaive,
} from "../../../../server/modules/replenishment/replenishment.forecast";

/** A weekday pattern: Monday-to-Friday theatre lists, quiet weekends. */
const WEEK = [4, 6, 5, 7, 3, 0, 0];
const weeks = (n: number, week = WEEK) => Array.from({ length: n * 7 }, (_, i) => week[i % 7]);

/** A deterministic pseudo-random stream (LCG), so noisy series are the same on every run. */
function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe("replenishment forecast (additive Holt–Winters, weekly season)", function () {
  it("forecasts a constant series as that constant for 90 days", function () {
    const f = forecast(Array(60).fill(3));
    expect(f.method).to.equal("holt-winters");
    expect(f.daily).to.have.length(HORIZON_DAYS);
    for (const d of f.daily) expect(d).to.be.closeTo(3, 1e-9);
  });

  it("forecasts a pure weekly pattern back, weekday by weekday", function () {
    const history = weeks(12);
    const f = forecast(history);
    // The history ends on a Sunday of the pattern: the forecast starts on its Monday.
    for (const [h, d] of f.daily.entries()) expect(d).to.be.closeTo(WEEK[h % 7], 1e-6);
    expect(f.backtest!.model.mae).to.be.closeTo(0, 1e-6);
    expect(f.backtest!.seasonalNaive.mae).to.equal(0);
  });

  it("keeps the weekday pattern when the history ends mid-week", function () {
    const history = weeks(10).concat(WEEK.slice(0, 3));
    const f = forecast(history);
    expect(f.daily.slice(0, 7).map((d) => Math.round(d * 1e6) / 1e6)).to.deep.equal([7, 3, 0, 0, 4, 6, 5]);
  });

  it("follows a level shift (a new surgeon's list) instead of the old average", function () {
    const history = weeks(8).concat(
      weeks(
        6,
        WEEK.map((v) => v + 4),
      ),
    );
    const f = forecast(history);
    const nextWeek = f.daily.slice(0, 7).reduce((a, b) => a + b, 0);
    // The new level uses 25 + 5 × 4 = 45 a week (weekends included: +4 each day is 53).
    expect(nextWeek).to.be.closeTo(53, 3);
  });

  it("learns a trend when there is one, damped over the horizon", function () {
    const history = Array.from({ length: 84 }, (_, t) => 10 + 0.2 * t + WEEK[t % 7]);
    const { params } = fitHoltWinters(history);
    expect(params.beta).to.be.greaterThan(0);
    const f = forecast(history);
    // One step ahead it is on the line; ninety days out the damping keeps it below the line.
    expect(f.daily[0]).to.be.closeTo(10 + 0.2 * 84 + WEEK[0], 0.5);
    expect(f.daily[89]).to.be.below(10 + 0.2 * 173 + WEEK[89 % 7]);
    expect(f.daily[89]).to.be.above(f.daily[0] - 5);
  });

  it("never forecasts negative use", function () {
    const falling = Array.from({ length: 42 }, (_, t) => Math.max(0, 20 - t));
    for (const d of forecast(falling).daily) expect(d).to.be.at.least(0);
  });

  it("falls back to the mean daily use below two weeks of history, and to 0 without any", function () {
    const short = forecast([2, 0, 1, 3, 0, 0, 1, 2, 3]);
    expect(short.method).to.equal("mean");
    expect(short.params).to.equal(null);
    expect(short.daily[0]).to.be.closeTo(12 / 9, 1e-12);
    expect(short.backtest).to.equal(null);
    const none = forecast([]);
    expect(none.method).to.equal("none");
    expect(none.daily.every((d) => d === 0)).to.equal(true);
  });

  it("backtests on the last four weeks only when six are there (two to fit, four held out)", function () {
    expect(backtest(weeks(5))).to.equal(null);
    const b = backtest(weeks(6))!;
    expect(b.holdoutDays).to.equal(HOLDOUT_DAYS);
    expect(b.actual).to.equal(4 * 25);
  });

  it("beats the seasonal-naive forecast on a noisy weekly series", function () {
    const r = noise(7);
    const history = Array.from({ length: 26 * 7 }, (_, t) =>
      Math.max(0, Math.round(WEEK[t % 7] + (r() - 0.5) * 4)),
    );
    const b = backtest(history)!;
    expect(b.model.mae).to.be.below(b.seasonalNaive.mae);
    expect(b.model.wape!).to.be.below(b.seasonalNaive.wape!);
  });

  it("measures MAE in units a day and WAPE against the units used; WAPE is null when none were", function () {
    expect(errorMeasures([2, 0, 4], [1, 1, 4])).to.deep.equal({ mae: 2 / 3, wape: (2 / 6) * 100 });
    expect(errorMeasures([0, 0], [1, 0])).to.deep.equal({ mae: 0.5, wape: null });
    expect(seasonalNaive([9, 1, 2, 3, 4, 5, 6, 7], 9)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 1, 2]);
  });

  it("sums the demand over a lead time in whole units, rounded up", function () {
    expect(demandOver([0.5, 0.5, 0.5], 3)).to.equal(2);
    expect(demandOver([0.1 + 0.2, 0.7, 2], 3)).to.equal(3);
    expect(demandOver([1, 1, 1, 9], 3)).to.equal(3);
  });
});
