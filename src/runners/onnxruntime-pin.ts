/**
 * The onnxruntime-node release the action provisions when it runs from its tracked files (as
 * GitHub runs it, with no node_modules). The integrity values are npm's sha512 of each tarball;
 * a test keeps them equal to package-lock.json, so bumping the dependency means bumping these.
 */
export const ONNXRUNTIME_PIN = {
  version: '1.30.0',
  packages: {
    'onnxruntime-node': 'sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw==',
    'onnxruntime-common':
      'sha512-7fdVWjAID1dVhH/G8qK3APARunV4VkBFoCQAP7qp4Wkab0mrorvmc+sqiT+mKXOzDqdjN5j+/Z9nb4gzNPWcyA==',
  },
} as const;
