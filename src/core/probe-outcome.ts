/**
 * What a model did with a bad request. Shared by the config (the outcomes a scenario accepts), the
 * runners (which classify an answer) and the error-scenario checks, so it sits below all three.
 * The last three occur only over HTTP (status 2xx, 5xx, 4xx without a body); `converted` only
 * for a request in another element type answered as the request in the declared one.
 */
export type Outcome = 'rejected' | 'non_finite' | 'finite' | 'empty' | 'converted' | 'accepted' | 'server_error' | 'no_error_body';
