// The policy pack's entry point as the Pulumi CLI loads it (`main` of ./package.json): the compiled
// pack from the canalkit package this directory ships in, or that its dependencies install when the
// directory is published on its own with `pulumi policy publish`.
require("canalkit/policies/pack");
