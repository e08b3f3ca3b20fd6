/**
 * Demand forecast of one item's daily used units: additive Holt–Winters (exponential smoothing
 * with a level, an optional damped trend and a weekly season of 7 days), the standard method for
 * a short daily series with a weekday pattern (Hyndman & Athanasopoulos, "Forecasting: Principles
 * and Practice", §8.3). Pure: no database, no clock; the caller builds the series.
 *
 * Parameters are chosen by grid search: every (α, β, γ) of the grids below is run over the
 * history, and the one with the least sum of squared one-step-ahead errors (each day forecast
 * from the days before it, from the second week on) wins; ties go to the earlier grid entry, so a
 * fit is reproducible. β = 0 means no trend (the trend starts and stays at 0). A trend is damped
 * by φ = 0.98 a day: a slope learnt from a few months is not extrapolated straight over three
 * more. Used units are never negative, so forecasts are floored at 0.
 *
 * Backtest: the last 4 weeks are held out, the model is refitted on the rest and forecasts them;
 * its error is reported beside that of the seasonal-naive forecast (each held-out day = the same
 * weekday of the last training week) as MAE (units a day) and WAPE = Σ|error| ÷ Σ actual, in
 * percent. WAPE rather than MAPE: a usage series has many zero days, on which MAPE divides by zero.
 */

export const SEASON_DAYS = 7;
export const HORIZON_DAYS = 90;
export const HOLDOUT_DAYS = 4 * SEASON_DAYS;
export const DAMPING = 0.98;
/** Holt–Winters needs two whole seasons: one to start the weekday pattern, one to learn from. */
export const MIN_HISTORY_DAYS = 2 * SEASON_DAYS;

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7];
const BETAS = [0, 0.02, 0.05, 0.1];
const GAMMAS = [0.05, 0.1, 0.2, 0.3, 0.5];

export interface SmoothingParams {
  /** Level smoothing. */
  alpha: number;
  /** Trend smoothing; 0: no trend. */
  beta: number;
  /** Weekday (seasonal) smoothing. */
  gamma: number;
}

export interface ErrorMeasures {
  /** Mean absolute error, units a day. */
  mae: number;
  /** Σ|error| ÷ Σ actual × 100; null when nothing was used in the held-out weeks. */
  wape: number | null;
}

export interface Backtest {
  holdoutDays: number;
  /** Units actually used over the held-out days. */
  actual: number;
  model: ErrorMeasures;
  seasonalNaive: ErrorMeasures;
}

export interface Forecast {
  /** holt-winters; mean: too short a history (the mean daily use, flat); none: no history. */
  method: "holt-winters" | "mean" | "none";
  params: SmoothingParams | null;
  /** Forecast units for each of the next `horizon` days, the first being the day after the history. */
  daily: number[];
  backtest: Backtest | null;
}

interface State {
  level: number;
  trend: number;
  /** season[i] is the weekday effect of days t with t % 7 = i (t counted from the series' start). */
  season: number[];
  sse: number;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Runs the smoothing over `y` (at least two seasons long) and returns its final state. */
function smooth(y: readonly number[], p: SmoothingParams): State {
  let level = mean(y.slice(0, SEASON_DAYS));
  let trend = p.beta === 0 ? 0 : (mean(y.slice(SEASON_DAYS, 2 * SEASON_DAYS)) - level) / SEASON_DAYS;
  const season = y.slice(0, SEASON_DAYS).map((v) => v - level);
  let sse = 0;
  for (let t = SEASON_DAYS; t < y.length; t++) {
    const s = season[t % SEASON_DAYS];
    const error = y[t] - (level + DAMPING * trend + s);
    sse += error * error;
    const next = p.alpha * (y[t] - s) + (1 - p.alpha) * (level + DAMPING * trend);
    trend = p.beta * (next - level) + (1 - p.beta) * DAMPING * trend;
    season[t % SEASON_DAYS] = p.gamma * (y[t] - next) + (1 - p.gamma) * s;
    level = next;
  }
  return { level, trend, season, sse };
}

/** The grid's parameters with the least one-step-ahead squared error over `y`, and their state. */
export function fitHoltWinters(y: readonly number[]): { params: SmoothingParams; state: State } {
  let best: { params: SmoothingParams; state: State } | null = null;
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS) {
        const state = smooth(y, { alpha, beta, gamma });
        if (best === null || state.sse < best.state.sse) best = { params: { alpha, beta, gamma }, state };
      }
  return best!;
}

/** The next `horizon` days after a series of length `n` that ended in `state`. */
function project(state: State, n: number, horizon: number): number[] {
  const out: number[] = [];
  let damped = 0;
  for (let h = 1; h <= horizon; h++) {
    damped += DAMPING ** h;
    out.push(Math.max(0, state.level + damped * state.trend + state.season[(n + h - 1) % SEASON_DAYS]));
  }
  return out;
}

function predict(y: readonly number[], horizon: number): Omit<Forecast, "backtest"> {
  if (y.length === 0) return { method: "none", params: null, daily: Array(horizon).fill(0) };
  if (y.length < MIN_HISTORY_DAYS)
    return { method: "mean", params: null, daily: Array(horizon).fill(Math.max(0, mean(y))) };
  const { params, state } = fitHoltWinters(y);
  return { method: "holt-winters", params, daily: project(state, y.length, horizon) };
}

export function errorMeasures(actual: readonly number[], predicted: readonly number[]): ErrorMeasures {
  const absolute = actual.reduce((sum, a, i) => sum + Math.abs(a - predicted[i]), 0);
  const total = actual.reduce((sum, a) => sum + a, 0);
  return { mae: absolute / actual.length, wape: total === 0 ? null : (absolute / total) * 100 };
}

/** Each day forecast as the same weekday of the last week before it. */
export function seasonalNaive(train: readonly number[], horizon: number): number[] {
  const lastWeek = train.slice(-SEASON_DAYS);
  return Array.from({ length: horizon }, (_, h) => lastWeek[h % SEASON_DAYS]);
}

/**
 * The last HOLDOUT_DAYS held out and forecast from the days before them; null unless the days
 * before are enough for Holt–Winters.
 */
export function backtest(y: readonly number[]): Backtest | null {
  if (y.length < MIN_HISTORY_DAYS + HOLDOUT_DAYS) return null;
  const train = y.slice(0, y.length - HOLDOUT_DAYS);
  const held = y.slice(y.length - HOLDOUT_DAYS);
  return {
    holdoutDays: HOLDOUT_DAYS,
    actual: held.reduce((a, b) => a + b, 0),
    model: errorMeasures(held, predict(train, HOLDOUT_DAYS).daily),
    seasonalNaive: errorMeasures(held, seasonalNaive(train, HOLDOUT_DAYS)),
  };
}

/** The forecast of the `horizon` days after the daily series `y` (oldest first), with its backtest. */
export function forecast(y: readonly number[], horizon = HORIZON_DAYS): Forecast {
  return { ...predict(y, horizon), backtest: backtest(y) };
}

/** Units forecast over the first `days` days, rounded up: a buyer covers a fraction of a unit whole. */
export function demandOver(daily: readonly number[], days: number): number {
  const total = daily.slice(0, days).reduce((a, b) => a + b, 0);
  // Float sums of fractions land a hair above a whole number (3.0000000004): not a fourth unit.
  return Math.ceil(total - 1e-9);
}
