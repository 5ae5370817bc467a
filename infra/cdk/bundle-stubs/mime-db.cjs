// Stands in for mime-db (~130 kB) in Lambda bundles. axios pulls it in through form-data for
// multipart uploads, which the ACME client never sends.
module.exports = {};
