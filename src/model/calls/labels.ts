/** `callStatusNew` codes as stable snake_case labels. */
export const callStatusLabels: Readonly<Record<number, string>> = {
  1: "connected",
  2: "connected_abnormal",
  3: "not_connected",
  4: "not_connected_abnormal",
};

/** `callDescription` codes as stable snake_case labels (the platform has no code 9). */
export const callDescriptionLabels: Readonly<Record<number, string>> = {
  1: "valid_call",
  2: "voicemail",
  3: "short_hangup",
  4: "silence",
  5: "caller_hung_up",
  6: "callee_busy_or_rejected",
  7: "callee_unreachable",
  8: "no_answer",
  10: "balance_announcement",
};
