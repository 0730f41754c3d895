// The version sent in `user-agent: edgehook/<version>`.
export const VERSION = '0.1.0';
